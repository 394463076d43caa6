"""Concurrent writers queue on the chain head and leave one unbroken chain (ADR 0002, G1)."""

import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection

from chuangwen.audit.chain import verify
from chuangwen.audit.log import record
from chuangwen.audit.models import Entry

THREADS, PER_THREAD = 6, 25


def _write_concurrently(threads: int, per_thread: int) -> list[Exception]:
    start, errors = threading.Barrier(threads), []

    def writer(n: int):
        try:
            start.wait()
            for i in range(per_thread):
                record("test.concurrent", object_repr=f"writer{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks on the chain head); set CHUANGWEN_DATABASE_URL to run it",
)
def test_concurrent_writers_leave_one_unbroken_chain_on_postgresql(transactional_db):
    errors = _write_concurrently(THREADS, PER_THREAD)
    assert errors == []
    result = verify()
    assert result.ok, result.problem
    written = Entry.objects.filter(event="test.concurrent")
    assert written.count() == THREADS * PER_THREAD
    assert written.values("object_repr").distinct().count() == THREADS * PER_THREAD


# SQLite: the test database lives in memory with a shared cache, where a second writer gets
# "table is locked" at once instead of waiting on the busy timeout, so threads there would test
# the test setup.  Real processes on a database file test what production runs: WAL, BEGIN
# IMMEDIATE, the busy timeout, and the audit key created by whichever worker comes first.

PROCESSES, PER_PROCESS = 4, 40

WRITER = """
import sys
import django
django.setup()
from django.db import connection
from chuangwen.audit.log import record
for i in range(int(sys.argv[1])):
    record("test.concurrent", object_repr=f"{sys.argv[2]}-{i}")
connection.close()
"""

CHECK = """
import django
django.setup()
from chuangwen.audit.chain import verify
from chuangwen.audit.models import Entry
result = verify()
written = Entry.objects.filter(event="test.concurrent")
print(result.ok, result.problem or "-", written.count(), written.values("object_repr").distinct().count())
"""


def test_concurrent_writer_processes_leave_one_unbroken_chain_on_sqlite(tmp_path, clean_env):
    env = dict(clean_env)
    env.update(
        DJANGO_SETTINGS_MODULE="chuangwen.settings",
        CHUANGWEN_VAR_DIR=str(tmp_path),
        CHUANGWEN_SECRET_KEY="concurrency-test-" + "x" * 50,
    )

    def run(*args, **kwargs):
        return subprocess.run(
            [sys.executable, *args],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=180,
            **kwargs,
        )

    migrated = run("manage.py", "migrate", "--noinput", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    assert not (tmp_path / "audit.key").exists()  # the writers race to create it

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(PER_PROCESS), f"p{n}"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    for proc in writers:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err

    checked = run("-c", CHECK)
    assert checked.returncode == 0, checked.stderr
    ok, problem, count, distinct = checked.stdout.split()
    assert (ok, problem) == ("True", "-")
    assert int(count) == int(distinct) == PROCESSES * PER_PROCESS
    verified = run("manage.py", "audit_verify")
    assert verified.returncode == 0 and "审计链完整" in verified.stdout
