"""The orphan sweep: blobs left by rolled-back transactions go after a day; referenced blobs
and young blobs stay."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from chuangwen.attachments import storage
from chuangwen.attachments.services import attachment_store, cleanup_orphans
from chuangwen.audit.models import Entry

from . import samples
from .samples import upload

pytestmark = pytest.mark.django_db
TWO_DAYS_AGO = time.time() - 2 * 86400


def age(path, when=TWO_DAYS_AGO):
    os.utime(path, (when, when))


def stored(world, kind, color, *, rollback=False):
    data = samples.png_bytes(color=color)
    try:
        with transaction.atomic():
            a = attachment_store(
                upload("a.png", data), owner_kind=kind, owner_id=world.community.pk, actor=world.hq
            )
            if rollback:
                raise RuntimeError("owner's service failed")
    except RuntimeError:
        pass
    return storage.blob_path(a.blob)


@pytest.fixture
def blobs(world, unit_kind):
    kept = stored(world, unit_kind, (1, 1, 1))
    old_orphan = stored(world, unit_kind, (2, 2, 2), rollback=True)
    young_orphan = stored(world, unit_kind, (3, 3, 3), rollback=True)
    age(kept)
    age(old_orphan)
    storage.tmp_dir().mkdir(parents=True, exist_ok=True)
    old_temp, young_temp = storage.tmp_dir() / "up-old", storage.tmp_dir() / "up-young"
    old_temp.write_bytes(b"partial")
    young_temp.write_bytes(b"partial")
    age(old_temp)
    return kept, old_orphan, young_orphan, old_temp, young_temp


def test_removes_only_unreferenced_blobs_older_than_a_day(blobs):
    kept, old_orphan, young_orphan, old_temp, young_temp = blobs
    removed = cleanup_orphans()
    assert removed == [f"attachments/{old_orphan.relative_to(storage.root()).as_posix()}"]
    assert kept.is_file() and young_orphan.is_file() and young_temp.is_file()
    assert not old_orphan.exists() and not old_temp.exists()
    assert not old_orphan.parent.exists()  # empty folders go too
    entry = Entry.objects.get(event="attachment.gc")
    assert entry.changes == {"blobs_removed": [None, 1], "temp_removed": [None, 1]}


def test_dry_run_changes_nothing(blobs):
    _, old_orphan, *_ = blobs
    assert len(cleanup_orphans(dry_run=True)) == 1
    assert old_orphan.is_file()
    assert not Entry.objects.filter(event="attachment.gc").exists()


def test_an_orphan_claimed_again_by_an_identical_upload_is_kept(world, unit_kind, blobs):
    _, old_orphan, *_ = blobs
    with transaction.atomic():
        attachment_store(upload("again.png", samples.png_bytes(color=(2, 2, 2))), owner_kind=unit_kind,
                         owner_id=world.community.pk, actor=world.hq)
    age(old_orphan)
    assert cleanup_orphans() == []
    assert old_orphan.is_file()


def test_nothing_to_do_on_an_empty_store():
    assert cleanup_orphans() == []
    assert not Entry.objects.filter(event="attachment.gc").exists()


def test_management_command_reports_what_it_removed(blobs):
    out = StringIO()
    call_command("attachments_gc", stdout=out)
    assert "已删除 attachments/" in out.getvalue()
    assert "无主附件文件:1 个已删除" in out.getvalue()


def test_management_command_honours_the_age(blobs):
    _, old_orphan, young_orphan, *_ = blobs
    age(young_orphan, time.time() - 3 * 3600)
    call_command("attachments_gc", "--older-than-hours", "2", stdout=StringIO())
    assert not young_orphan.exists() and not old_orphan.exists()
