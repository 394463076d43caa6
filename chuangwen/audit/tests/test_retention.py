"""Audit retention (checklist C4): archive first, then delete; the chain still verifies."""

import gzip
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chuangwen import cli
from chuangwen.audit import retention, triggers
from chuangwen.audit.chain import archive_seal, verify
from chuangwen.audit.log import record
from chuangwen.audit.models import ArchivePermit, Entry, Head

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    return settings.AUDIT_ARCHIVE_DIR


@pytest.fixture
def now(world):
    """The archive runs 1000 days after the world was built (its entries are that old)."""
    return timezone.now() + timedelta(days=1000)


def at(when, event="test.entry", **kw) -> Entry:
    with time_machine.travel(when, tick=False):
        return record(event, object_repr=event, **kw)


def run_archive(now, days=180) -> retention.ArchiveResult:
    with time_machine.travel(now, tick=False):
        return retention.archive(days=days)


def command(*args) -> str:
    out = io.StringIO()
    call_command("audit_archive", *args, stdout=out)
    return out.getvalue()


def test_179_days_kept_181_days_archived(now):
    old = at(now - timedelta(days=181))
    young = at(now - timedelta(days=179))
    result = run_archive(now, days=180)
    assert (result.from_seq, result.to_seq) == (1, old.seq)
    assert not Entry.objects.filter(seq__lte=old.seq).exists()
    assert Entry.objects.filter(seq=young.seq).exists()
    head = Head.objects.get(pk=1)
    assert head.archived_seq == old.seq and head.archived_mac == old.mac
    assert verify().ok


def test_the_default_cutoff_is_365_days(now):
    older = at(now - timedelta(days=366))
    kept = at(now - timedelta(days=364))
    with time_machine.travel(now, tick=False):
        out = command()
    assert f"已归档第 1 至 {older.seq} 条审计记录" in out
    assert Entry.objects.filter(seq=kept.seq).exists() and verify().ok


def test_personal_data_access_is_kept_three_years_and_stops_the_archive(now):
    export = at(now - timedelta(days=3 * 365 + 5), "pi.export")  # older than three years
    plain = at(now - timedelta(days=800))
    unmask = at(now - timedelta(days=730), "pi.unmask")  # two years: must stay
    after = at(now - timedelta(days=400))  # old enough, but behind the kept entry
    result = run_archive(now)
    assert result.to_seq == plain.seq > export.seq
    assert set(Entry.objects.filter(seq__in=[export.seq, plain.seq]).values_list("seq", flat=True)) == set()
    assert Entry.objects.filter(seq__in=[unmask.seq, after.seq]).count() == 2
    assert verify().ok


def test_the_archive_run_is_audited_with_range_and_checksum(now):
    at(now - timedelta(days=200))
    result = run_archive(now)
    entry = Entry.objects.filter(event="audit.archive").get()
    assert entry.changes["from_seq"] == [None, 1] and entry.changes["to_seq"] == [None, result.to_seq]
    assert entry.changes["sha256"] == [None, result.sha256]
    assert entry.object_repr == result.path.name


def test_the_archive_file_verifies_and_links_to_the_retained_chain(now):
    at(now - timedelta(days=200), changes={"字段": ["旧", "新"]})
    result = run_archive(now)
    check = retention.verify_archive(result.path)
    assert (check.from_seq, check.to_seq, check.count) == (1, result.to_seq, result.to_seq)
    assert check.last_mac == Head.objects.get(pk=1).archived_mac
    first_kept = Entry.objects.order_by("seq").first()
    assert first_kept.seq == result.to_seq + 1 and first_kept.prev_mac == check.last_mac
    assert "归档文件完整" in command("--verify", str(result.path))


def test_an_edited_archive_file_is_caught(now, tmp_path):
    at(now - timedelta(days=200))
    result = run_archive(now)
    original = gzip.decompress(result.path.read_bytes()).decode().splitlines()
    lines = list(original)
    row = json.loads(lines[3])
    row["object_repr"] = "无事发生"
    lines[3] = json.dumps(row, ensure_ascii=False)
    forged = tmp_path / "forged.jsonl.gz"
    forged.write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
    with pytest.raises(retention.RetentionError, match=f"第 {row['seq']} 条记录的内容被改动"):
        retention.verify_archive(forged)
    lines = original[:-1]
    forged.write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
    with pytest.raises(retention.RetentionError, match="实际只到"):
        retention.verify_archive(forged)


def test_a_second_run_continues_the_first(now):
    at(now - timedelta(days=500))
    mid = at(now - timedelta(days=300))
    first = run_archive(now, days=400)
    second = run_archive(now + timedelta(days=5), days=200)
    assert second.from_seq == first.to_seq + 1 and second.to_seq >= mid.seq
    assert retention.verify_archive(second.path).prev_mac == retention.verify_archive(first.path).last_mac
    assert verify().ok


def test_nothing_old_enough_writes_no_file(world, archive_dir):
    assert "没有需要归档的审计记录" in command("--older-than", "200")
    assert not archive_dir.exists() or not any(archive_dir.iterdir())
    assert Head.objects.get(pk=1).archived_seq == 0


def test_fewer_than_180_days_is_refused(now):
    with pytest.raises(CommandError, match="至少保存 180 天"):
        command("--older-than", "179")
    assert Entry.objects.filter(seq=1).exists()


def test_the_console_command_runs_the_archive(monkeypatch):
    import django.core.management

    ran = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", ran.append)
    cli.main(["audit", "archive", "--older-than", "200"])
    cli.main(["audit", "verify"])
    cli.main(["backup"])
    cli.main(["restore", "x.tar.gz"])
    assert ran == [
        ["chuangwen", "audit_archive", "--older-than", "200"],
        ["chuangwen", "audit_verify"],
        ["chuangwen", "backup"],
        ["chuangwen", "restore", "x.tar.gz"],
    ]


# --- the chain after archiving still catches tampering ---------------------------------------


@pytest.fixture
def archived(now):
    at(now - timedelta(days=200))
    result = run_archive(now)
    retained = [record("test.entry", object_repr=f"第{i}件").seq for i in range(5)]
    triggers.apply(connection, create=False)  # lifted inside the test's transaction only
    return result, retained


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_deleting_a_retained_entry_is_still_caught(archived):
    _, retained = archived
    sql("DELETE FROM audit_entry WHERE seq = %s", [retained[2]])
    result = verify()
    assert not result.ok and result.seq == retained[2] and "缺失" in result.problem


def test_deleting_the_oldest_retained_entries_is_caught(archived):
    result, _ = archived
    sql("DELETE FROM audit_entry WHERE seq <= %s", [result.to_seq + 2])
    check = verify()
    assert not check.ok and f"第 {result.to_seq + 1} 至 {result.to_seq + 2} 条记录缺失" in check.problem


def test_moving_the_archive_marker_without_the_key_is_caught(archived):
    result, _ = archived
    first = Entry.objects.order_by("seq").first()
    sql("DELETE FROM audit_entry WHERE seq = %s", [first.seq])
    Head.objects.filter(pk=1).update(archived_seq=first.seq, archived_mac=first.mac)
    check = verify()
    assert not check.ok and "归档标记被改动" in check.problem


def test_an_archived_entry_put_back_is_caught(archived):
    result, _ = archived
    Head.objects.filter(pk=1).update(
        archived_seq=result.to_seq - 1, archive_seal=archive_seal(result.to_seq - 1, "0" * 64)
    )
    assert not verify().ok


def test_an_edited_retained_entry_is_caught(archived):
    _, retained = archived
    sql("UPDATE audit_entry SET object_repr = 'x' WHERE seq = %s", [retained[0]])
    assert f"第 {retained[0]} 条记录的内容被改动" in verify().problem


# --- the permit is narrow ---------------------------------------------------------------------


def refused(action):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def test_without_a_permit_delete_is_still_refused(world):
    refused(lambda: Entry.objects.filter(seq=1).delete())


def test_a_permit_allows_only_deletes_up_to_its_number(world):
    def delete_beyond():
        ArchivePermit.objects.create(id=1, upto=2)
        Entry.objects.filter(seq__lte=3).delete()

    refused(delete_beyond)

    def update_within():
        ArchivePermit.objects.create(id=1, upto=5)
        Entry.objects.filter(seq=1).update(event="x")

    refused(update_within)
    assert Entry.objects.filter(seq__lte=3).count() == 3 and not ArchivePermit.objects.exists()
