"""Throw-away installations for the backup tests: a var dir and a database of their own (a
SQLite file, or a temporary PostgreSQL database), driven through `python -m chuangwen`."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("CHUANGWEN_DATABASE_URL", "")
IS_PG = PG_URL.startswith(("postgres://", "postgresql://"))

VENDORS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not IS_PG, reason="needs PostgreSQL; set CHUANGWEN_DATABASE_URL to run it"),
        ],
    ),
]

# Printed by `Install.inspect()`: per-table statistics and a few records, field by field.
INSPECT = """
import json
from django.core import serializers
from pathlib import Path
from django.db import connection
from chuangwen.accounts.models import User
from chuangwen.audit.models import Entry
from chuangwen.backup import snapshot
from chuangwen.org.models import Unit
if connection.vendor == "sqlite":
    stats = snapshot.sqlite_inspect(Path(connection.settings_dict["NAME"]))[0]
else:
    stats = snapshot.pg_inspect()[0]
def dump(qs):
    return json.loads(serializers.serialize("json", qs))
print(json.dumps({
    "stats": stats,
    "users": dump(User.objects.filter(username__in=["hq", "c1_head", "auditor"]).order_by("pk")),
    "units": dump(Unit.objects.filter(code__in=["C000", "Q01-J01-S01"]).order_by("pk")),
    "entries": dump(Entry.objects.filter(seq__in=[1, 2, 20]).order_by("seq")),
    "events": list(Entry.objects.order_by("seq").values_list("event", flat=True)),
}, ensure_ascii=False))
"""

SETUP = """
import conftest
from django.conf import settings
conftest._build_world()
photo = settings.MEDIA_ROOT / "reports" / "2026" / "整改照片.jpg"
photo.parent.mkdir(parents=True, exist_ok=True)
photo.write_bytes(bytes(range(256)) * 40)
"""


def _pg_admin(sql: str) -> None:
    parts = urlsplit(PG_URL)
    url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


class Install:
    def __init__(self, base: Path, vendor: str, name: str):
        self.vendor, self.var = vendor, base / name
        self.var.mkdir(parents=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CHUANGWEN_", "DJANGO_"))}
        self.env["CHUANGWEN_VAR_DIR"] = str(self.var)
        self.db_name = None
        if vendor == "postgresql":
            self.db_name = f"test_restore_{secrets.token_hex(5)}"
            _pg_admin(f"CREATE DATABASE {self.db_name}")
            parts = urlsplit(PG_URL)
            self.env["CHUANGWEN_DATABASE_URL"] = urlunsplit(
                (parts.scheme, parts.netloc, f"/{self.db_name}", parts.query, "")
            )

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "chuangwen", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"chuangwen {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def shell(self, code: str) -> str:
        return self.run("shell", "--no-imports", "-c", code).stdout

    def inspect(self) -> dict:
        return json.loads(self.shell(INSPECT).strip().splitlines()[-1])

    def take_key_from(self, other: "Install") -> None:
        """The keys that stay out of backups: the audit key and the personal-information key."""
        shutil.copy2(other.var / "audit.key", self.var / "audit.key")
        shutil.copy2(other.var / "pi.key", self.var / "pi.key")

    def drop(self) -> None:
        if self.db_name:
            _pg_admin(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")
