"""The production SQLite connection settings are applied on every connection (checklist G1)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import django, json
django.setup()
from django.db import connection
with connection.cursor() as c:
    out = {}
    for name in ("journal_mode", "synchronous", "foreign_keys", "secure_delete", "busy_timeout"):
        out[name] = c.execute(f"PRAGMA {name}").fetchone()[0]
out["transaction_mode"] = connection.settings_dict["OPTIONS"].get("transaction_mode")
out["conn_max_age"] = connection.settings_dict["CONN_MAX_AGE"]
print(json.dumps(out))
"""


def test_sqlite_connections_use_wal_full_sync_and_immediate_transactions(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHUANGWEN_")}
    env.update(CHUANGWEN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="chuangwen.settings")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    pragmas = json.loads(result.stdout.strip().splitlines()[-1])
    assert pragmas == {
        "journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "secure_delete": 1,
        "busy_timeout": 20000, "transaction_mode": "IMMEDIATE", "conn_max_age": 600,
    }


def test_database_connections_are_persistent_whichever_database_is_configured():
    # A new connection per request costs most of a request on PostgreSQL.
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
    assert settings.DATABASES["default"].get("CONN_HEALTH_CHECKS") or settings.DATABASES["default"][
        "ENGINE"
    ].endswith("sqlite3")
