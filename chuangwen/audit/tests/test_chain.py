"""The audit log is append-only and tamper-evident (checklist C3)."""

import io
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chuangwen.audit import chain, triggers
from chuangwen.audit.chain import verify
from chuangwen.audit.log import record
from chuangwen.audit.models import Entry, Head

pytestmark = pytest.mark.django_db


def audit_verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def verify_fails(match: str) -> str:
    with pytest.raises(CommandError, match=match) as info:
        audit_verify()
    return str(info.value)


@pytest.fixture
def chain_of_ten(world):
    """Ten more entries on top of the world's; returns their numbers."""
    return [record("test.entry", object_repr=f"第{i}件", changes={"i": [None, i]}).seq for i in range(10)]


@pytest.fixture
def tamper(chain_of_ten):
    """Lift the append-only triggers, as someone with the database owner's rights could.
    (Inside the test's transaction: they come back when it rolls back.)"""
    triggers.apply(connection, create=False)

    def sql(statement, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return sql


# --- an intact chain -------------------------------------------------------------------------


def test_audit_verify_passes_on_an_intact_chain(chain_of_ten):
    out = audit_verify()
    total = Entry.objects.count()
    assert f"审计链完整:共 {total} 条记录" in out
    assert chain.key_fingerprint() in out


def test_verify_walks_the_chain_in_batches(chain_of_ten):
    result = verify(batch=3)
    assert result.ok and result.checked == Entry.objects.count()


def test_verify_passes_on_an_empty_log(world, tamper):
    tamper("DELETE FROM audit_entry")
    Head.objects.all().delete()
    assert verify().ok


def test_the_chain_survives_a_json_round_trip_of_every_value_type(world):
    # What is MACed is exactly what the database gives back (dates, decimals, unicode, nesting).
    import datetime
    import decimal

    record(
        "test.types",
        changes={
            "date": [None, datetime.date(2024, 2, 29)],
            "when": [None, timezone.now()],
            "amount": [None, decimal.Decimal("12.50")],
            "text": ["旧\n值", "新值 \u202e ✓"],
            "nested": [None, {"a": [1, 2.5, True, None]}],
        },
    )
    assert verify().ok


# --- tampering -------------------------------------------------------------------------------


def test_an_entry_edited_in_sql_is_named_by_number(chain_of_ten, tamper):
    k = chain_of_ten[4]
    tamper("UPDATE audit_entry SET object_repr = %s WHERE seq = %s", ["无事发生", k])
    message = verify_fails(f"第 {k} 条记录的内容被改动")
    assert "审计链校验失败" in message


def test_an_edited_timestamp_is_caught(chain_of_ten, tamper):
    k = chain_of_ten[2]
    entry = Entry.objects.get(seq=k)
    Entry.objects.filter(seq=k).update(at=entry.at - timezone.timedelta(days=1))
    verify_fails(f"第 {k} 条记录的内容被改动")


def test_an_entry_deleted_in_sql_is_named_by_number(chain_of_ten, tamper):
    k = chain_of_ten[5]
    tamper("DELETE FROM audit_entry WHERE seq = %s", [k])
    verify_fails(f"第 {k} 条记录缺失")


def test_deleting_the_first_entries_is_caught(chain_of_ten, tamper):
    tamper("DELETE FROM audit_entry WHERE seq <= 3")
    verify_fails("第 1 至 3 条记录缺失")


def test_an_entry_inserted_in_sql_is_caught(chain_of_ten, tamper):
    head = Head.objects.get(pk=1)
    fake = Entry(
        seq=head.seq + 1,
        at=timezone.now(),
        event="login",
        outcome="success",
        actor_name="张三(zhangsan)",
        prev_mac=head.mac,
        mac="f" * 64,
    )
    fake.save(force_insert=True)
    verify_fails(f"第 {head.seq + 1} 条")


def test_an_inserted_entry_with_the_head_moved_along_is_caught(chain_of_ten, tamper):
    head = Head.objects.get(pk=1)
    fake = Entry(
        seq=head.seq + 1, at=timezone.now(), event="login", outcome="success", prev_mac=head.mac, mac="a" * 64
    )
    fake.save(force_insert=True)
    Head.objects.filter(pk=1).update(seq=fake.seq, mac=fake.mac)
    verify_fails(f"第 {fake.seq} 条记录的内容被改动")


def test_an_entry_forged_with_another_key_is_caught(chain_of_ten, tamper, monkeypatch):
    import hashlib
    import hmac

    head = Head.objects.get(pk=1)
    fake = Entry(
        seq=head.seq + 1, at=timezone.now(), event="user.roles", outcome="success", prev_mac=head.mac
    )
    fake.mac = hmac.new(b"k" * 32, chain.canonical(fake), hashlib.sha256).hexdigest()
    fake.save(force_insert=True)
    Head.objects.filter(pk=1).update(seq=fake.seq, mac=fake.mac)
    verify_fails(f"第 {fake.seq} 条记录的内容被改动")


def test_an_entry_replaced_in_place_is_caught(chain_of_ten, tamper):
    # Rewriting an entry and its MAC (without the key) breaks the link to the next one.
    k = chain_of_ten[3]
    tamper("UPDATE audit_entry SET mac = %s WHERE seq = %s", ["0" * 64, k])
    verify_fails(f"第 {k} 条")


def test_truncating_the_newest_entries_is_caught_by_the_head(chain_of_ten, tamper):
    last = chain_of_ten[-1]
    tamper("DELETE FROM audit_entry WHERE seq > %s", [last - 3])
    message = verify_fails("最新的记录被删除")
    assert f"链头记录到第 {last} 条" in message and f"日志只到第 {last - 3} 条" in message


def test_a_head_pointing_elsewhere_is_caught(chain_of_ten, tamper):
    Head.objects.filter(pk=1).update(mac="b" * 64)
    verify_fails("与链头不符")


# --- the triggers ----------------------------------------------------------------------------


def refused(action):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def test_orm_update_is_refused(chain_of_ten):
    refused(lambda: Entry.objects.filter(seq=chain_of_ten[0]).update(event="nothing"))
    assert Entry.objects.get(seq=chain_of_ten[0]).event == "test.entry"


def test_orm_delete_is_refused(chain_of_ten):
    refused(lambda: Entry.objects.filter(seq__in=chain_of_ten).delete())
    refused(lambda: Entry.objects.get(seq=chain_of_ten[0]).delete())
    assert Entry.objects.filter(seq__in=chain_of_ten).count() == 10


def test_saving_a_changed_entry_is_refused(chain_of_ten):
    entry = Entry.objects.get(seq=chain_of_ten[0])
    entry.object_repr = "改过了"
    refused(entry.save)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET event = 'x'",
        "UPDATE audit_entry SET mac = prev_mac WHERE seq = 1",
        "DELETE FROM audit_entry",
        "DELETE FROM audit_entry WHERE seq = 1",
    ],
)
def test_raw_sql_update_and_delete_are_refused(chain_of_ten, statement):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement)

    refused(run)
    assert audit_verify()


def test_the_chain_is_still_valid_after_the_refusals(chain_of_ten):
    refused(lambda: Entry.objects.update(event="x"))
    assert verify().ok


# --- the key ---------------------------------------------------------------------------------


def test_the_key_file_is_created_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "audit.key"
    first = chain._key_for.__wrapped__(str(path))
    assert len(first) == chain.KEY_BYTES
    assert path.stat().st_mode & 0o777 == 0o600
    assert chain._key_for.__wrapped__(str(path)) == first


def test_an_empty_key_file_is_refused_not_used(tmp_path):
    # Half-written by a crashed worker, or emptied: an empty HMAC key would let anyone forge.
    path = tmp_path / "audit.key"
    path.write_text("")
    with pytest.raises(ImproperlyConfigured):
        chain._key_for.__wrapped__(str(path))


def test_workers_starting_together_agree_on_one_key(tmp_path):
    path = str(tmp_path / "audit.key")
    start, keys, errors = threading.Barrier(8), [], []

    def worker():
        start.wait()
        try:
            keys.append(chain._key_for.__wrapped__(path))
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(keys)) == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "audit.key"]  # no temporary files left


def test_another_key_fails_verification(chain_of_ten, monkeypatch):
    monkeypatch.setattr(chain, "key", lambda: b"x" * 32)
    assert not verify().ok
