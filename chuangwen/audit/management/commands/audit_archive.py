from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chuangwen.audit.retention import DEFAULT_DAYS, MIN_DAYS, RetentionError, archive, verify_archive


class Command(BaseCommand):
    help = (
        f"Move audit entries older than --older-than days (at least {MIN_DAYS}, default {DEFAULT_DAYS}) "
        "into a verifiable archive file under var/audit-archive/, then delete them; "
        "--verify FILE re-checks an archive file with the audit key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=DEFAULT_DAYS, metavar="DAYS")
        parser.add_argument("--verify", metavar="FILE", help="verify an archive file instead of archiving")

    def handle(self, *args, **options):
        try:
            if options["verify"]:
                check = verify_archive(Path(options["verify"]))
                self.stdout.write(
                    f"归档文件完整:第 {check.from_seq} 至 {check.to_seq} 条,共 {check.count} 条记录。"
                )
                return
            result = archive(days=options["older_than"])
        except RetentionError as exc:
            raise CommandError(f"审计归档失败:{exc}") from exc
        if result.path is None:
            self.stdout.write(f"没有需要归档的审计记录(保存期 {options['older_than']} 天)。")
            return
        self.stdout.write(
            f"已归档第 {result.from_seq} 至 {result.to_seq} 条审计记录(共 {result.count} 条)到 {result.path},"
            f"SHA-256 {result.sha256}"
        )
