"""The `chuangwen` console command.

    chuangwen serve [--bind HOST:PORT]   production server (gunicorn, threads) with WhiteNoise
    chuangwen demo                       load the demo city and its plan once; print the demo accounts
    chuangwen audit verify               check the audit chain; exit 1 naming the first bad entry
    chuangwen audit archive [--older-than DAYS]
                                         move audit entries older than DAYS (>= 180, default 365)
                                         into var/audit-archive/, then delete them
    chuangwen audit archive --verify FILE
                                         check an audit archive file with the audit key
    chuangwen backup [--output FILE]     one archive: database, uploaded files, audit head
    chuangwen restore FILE               restore a backup into an empty installation
    chuangwen task_reminders [--date YYYY-MM-DD]
                                         send the due 三色督办 and milestone reminders (idempotent)
    chuangwen run_jobs [--loop SECONDS]  task_reminders and expire_idempotency_keys, and notify_digest
                                         once a day; once, or every SECONDS until SIGTERM
                                         (docs/operations.md)
    chuangwen attachments_gc [--dry-run] delete stored files no attachment references (daily)
    chuangwen <any manage.py command>    e.g. `chuangwen migrate`, `chuangwen check --deploy`
"""

import os
import sys


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    bind = "127.0.0.1:8000"
    if "--bind" in argv:
        bind = argv[argv.index("--bind") + 1]
    workers = os.environ.get("CHUANGWEN_WORKERS", "2")
    threads = os.environ.get("CHUANGWEN_THREADS", "8")
    args = [
        "gunicorn", "chuangwen.wsgi:application", "--bind", bind, "--workers", workers,
        "--threads", threads, "--worker-class", "gthread", "--access-logfile", "-",
        "--forwarded-allow-ips", os.environ.get("CHUANGWEN_TRUSTED_PROXIES", "127.0.0.1"),
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])
    return 0  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    if command == "audit":
        sub = rest[0] if rest else ""
        command, rest = {
            "verify": ("audit_verify", rest[1:]),
            "archive": ("audit_archive", rest[1:]),
        }.get(sub, ("audit_verify", rest))
    elif command == "demo":
        command = "load_demo"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chuangwen", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
