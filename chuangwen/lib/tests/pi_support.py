"""A model holding personal information, for the tests of chuangwen.lib.pi and pi_unmask.

It lives in an isolated app registry (never in migrations or backups); `pi_table` creates its
table inside the test's transaction, so it disappears with the rollback.
"""

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from chuangwen.lib.pi import EncryptedTextField

PHONE = "13812345678"

with isolate_apps("chuangwen.lib"):

    class Caller(models.Model):
        name = EncryptedTextField("姓名", blank=True)
        phone = EncryptedTextField("电话", null=True, blank=True)
        phone_index = models.CharField(max_length=64, blank=True, db_index=True)
        note = models.CharField(max_length=100, blank=True)

        class Meta:
            app_label = "lib"

        def __str__(self):
            return f"来电 {self.note}"


@pytest.fixture
def pi_keys(settings, tmp_path):
    """A key of this test's own (created on first use), no old keys."""
    settings.PI_KEY_FILE = tmp_path / "pi.key"
    settings.PI_OLD_KEY_FILES = []
    return settings


@pytest.fixture
def pi_table(db, pi_keys):
    sql, params = connection.schema_editor().table_sql(Caller)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return Caller


def raw_row(pk: int) -> tuple:
    """The row as stored, read past the ORM (no decryption)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone, phone_index FROM {Caller._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()
