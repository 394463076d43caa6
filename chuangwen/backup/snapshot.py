"""Consistent database snapshots and the per-table statistics that prove a restore.

Both the dump and the statistics recorded in the manifest (row counts, a SHA-256 per table, the
audit head) come from the same instant: on SQLite they are read from the online-backup copy,
on PostgreSQL from one REPEATABLE READ transaction whose snapshot pg_dump shares (--snapshot).
"""

import hashlib
import json
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.apps import apps
from django.db import connection


class SnapshotError(Exception):
    pass


def model_tables() -> dict[str, str]:
    """Table → ORDER BY clause (its primary key, or every column) for every model table."""
    q = connection.ops.quote_name
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        pk = getattr(meta.pk, "column", None)
        columns = [pk] if pk else [f.column for f in meta.local_concrete_fields if f.column]
        tables[meta.db_table] = ", ".join(q(c) for c in columns)
    return dict(sorted(tables.items()))


def _plain(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def table_stats(cursor, existing: set[str]) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": digest of its rows in key order}} for our tables present."""
    q = connection.ops.quote_name
    stats = {}
    for table, order in model_tables().items():
        if table not in existing:
            continue
        cursor.execute(f"SELECT * FROM {q(table)} ORDER BY {order}")
        h, n = hashlib.sha256(), 0
        while rows := cursor.fetchmany(2000):
            for row in rows:
                h.update(json.dumps(list(row), default=_plain, sort_keys=True, ensure_ascii=False).encode())
                h.update(b"\n")
                n += 1
        stats[table] = {"rows": n, "sha256": h.hexdigest()}
    return stats


def _head(cursor, existing: set[str]) -> dict:
    if "audit_head" not in existing:
        return {"seq": 0, "mac": "", "archived_seq": 0}
    cursor.execute("SELECT seq, mac, archived_seq FROM audit_head WHERE id = 1")
    row = cursor.fetchone()
    return {"seq": row[0], "mac": row[1], "archived_seq": row[2]} if row else {"seq": 0, "mac": "", "archived_seq": 0}


# --- SQLite --------------------------------------------------------------------------------


def sqlite_inspect(path: Path) -> tuple[dict, dict]:
    """(table stats, audit head) of a SQLite file, after checking its integrity."""
    with closing(sqlite3.connect(str(path))) as db:
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise SnapshotError(f"数据库完整性检查未通过:{ok}")
        existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        cursor = db.cursor()
        return table_stats(cursor, existing), _head(cursor, existing)


def sqlite_dump(target: Path) -> tuple[dict, dict]:
    """Copy the live database with the online backup API (one step: a consistent copy while
    other connections write) into a self-contained file (no -wal)."""
    connection.ensure_connection()
    with closing(sqlite3.connect(str(target))) as out:
        connection.connection.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")
    return sqlite_inspect(target)


def sqlite_replace(source: Path, target: Path) -> None:
    """Put a restored database file in place of `target`: staged next to it, checked, the old
    file's WAL folded in and removed (a stale -wal would be replayed onto the new file), then
    renamed over it.  The caller closes every connection first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restore-{os.getpid()}")
    staged.unlink(missing_ok=True)
    with closing(sqlite3.connect(str(source))) as src, closing(sqlite3.connect(str(staged))) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    sqlite_inspect(staged)
    if target.exists():
        with closing(sqlite3.connect(str(target))) as old:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            old.execute("PRAGMA journal_mode=DELETE")
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staged, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_args(db: dict) -> tuple[list[str], dict]:
    env = os.environ.copy()
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args, env


def run_tool(argv: list[str], env: dict) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SnapshotError(f"{argv[0]} 执行失败:{done.stderr.strip()[-2000:]}")


def _pg_connection():
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    return raw


def _pg_existing(cursor) -> set[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {r[0] for r in cursor.fetchall()}


def pg_dump(target: Path) -> tuple[dict, dict]:
    """pg_dump -Fc of the snapshot the statistics are read from."""
    db = connection.settings_dict
    with closing(_pg_connection()) as raw, closing(raw.cursor()) as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        existing = _pg_existing(cursor)
        stats, head = table_stats(cursor, existing), _head(cursor, existing)
        args, env = pg_args(db)
        run_tool(["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", *args,
                  "-f", str(target), db["NAME"]], env)
        cursor.execute("COMMIT")
    return stats, head


def pg_inspect() -> tuple[dict, dict]:
    with closing(_pg_connection()) as raw, closing(raw.cursor()) as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        existing = _pg_existing(cursor)
        result = table_stats(cursor, existing), _head(cursor, existing)
        cursor.execute("COMMIT")
    return result


def pg_replace(dump: Path) -> None:
    """Empty the schema (whatever `migrate` created) and load the dump in one transaction."""
    db = connection.settings_dict
    args, env = pg_args(db)
    run_tool(["psql", *args, "-d", db["NAME"], "-v", "ON_ERROR_STOP=1", "-q", "-c",
              "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], env)
    run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *args, "-d", db["NAME"], str(dump)], env)
