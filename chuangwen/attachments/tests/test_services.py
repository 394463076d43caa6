"""Storing and deleting: content-addressed blobs outside the web root, all-or-nothing for
several files, audited, blobs removed only when nothing uses them any more."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from chuangwen.attachments import storage
from chuangwen.attachments.models import Attachment
from chuangwen.attachments.services import attachment_delete, attachment_store, attachments_store
from chuangwen.audit.models import Entry

from . import samples
from .samples import upload

pytestmark = pytest.mark.django_db


def store(world, kind, name="现场.png", data=None, actor=None, owner=None):
    return attachment_store(
        upload(name, data if data is not None else samples.png_bytes()),
        owner_kind=kind, owner_id=(owner or world.community).pk, actor=actor or world.c1_liaison,
    )


def test_stores_the_file_content_addressed_with_detected_type(world, unit_kind, media_root):
    data = samples.jpeg_bytes()
    a = store(world, unit_kind, name="../../整改前.jpg", data=data)
    a.refresh_from_db()
    assert (a.owner_kind, a.owner_id, a.name, a.content_type, a.size) == (
        unit_kind, world.community.pk, "整改前.jpg", "image/jpeg", len(data))
    assert a.uploaded_by == world.c1_liaison
    assert a.blob == f"attachments/{a.sha256[:2]}/{a.sha256[2:4]}/{a.sha256}"
    path = Path(media_root) / a.blob
    assert path.read_bytes() == data
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert list(storage.tmp_dir().iterdir()) == []  # the temp file was renamed into place


def test_blob_lives_outside_every_static_folder(world, unit_kind):
    path = storage.blob_path(store(world, unit_kind).blob).resolve()
    for folder in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert Path(folder).resolve() not in path.parents


def test_identical_uploads_share_one_blob(world, unit_kind, media_root):
    a = store(world, unit_kind)
    b = store(world, unit_kind, name="同一张.png", owner=world.community2)
    assert a.pk != b.pk and a.blob == b.blob
    assert len([p for p in Path(media_root).rglob("*") if p.is_file()]) == 1


def test_upload_is_audited_with_name_size_and_type(world, unit_kind):
    a = store(world, unit_kind, name="整改后.png")
    entry = Entry.objects.get(event="attachment.upload")
    assert entry.actor_id == world.c1_liaison.pk
    assert (entry.object_type, entry.object_id) == ("attachments.attachment", str(a.pk))
    assert entry.object_repr == "整改后.png"
    assert entry.changes["size"] == [None, a.size]
    assert entry.changes["content_type"] == [None, "image/png"]
    assert entry.changes["owner"] == [None, f"测试单位#{world.community.pk}"]


def test_rejected_file_stores_nothing(world, unit_kind, media_root):
    with pytest.raises(ValidationError, match="x.jpg"):
        store(world, unit_kind, name="x.jpg", data=samples.exe_bytes())
    assert not Attachment.objects.exists()
    assert not Entry.objects.filter(event="attachment.upload").exists()
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_several_files_are_all_checked_before_any_is_stored(world, unit_kind, media_root):
    files = [
        upload("一.png", samples.png_bytes()), upload("二.exe.jpg", samples.exe_bytes()),
        upload("三.pdf", samples.pdf_bytes()), upload("四.pdf", samples.png_bytes()),
    ]
    with pytest.raises(ValidationError) as info:
        attachments_store(files, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.c1_liaison)
    assert len(info.value.messages) == 2
    assert "二.exe.jpg" in info.value.messages[0] and "四.pdf" in info.value.messages[1]
    assert not Attachment.objects.exists()
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_several_good_files_are_stored_in_order(world, unit_kind):
    files = [upload("一.png", samples.png_bytes()), upload("二.pdf", samples.pdf_bytes()),
             upload("三.docx", samples.docx_bytes())]
    stored = attachments_store(
        files, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.c1_liaison
    )
    assert [a.name for a in stored] == ["一.png", "二.pdf", "三.docx"]
    assert Entry.objects.filter(event="attachment.upload").count() == 3


def test_refuses_more_files_than_the_cap(world, unit_kind):
    files = [upload(f"{i}.png", samples.png_bytes(color=(i, 0, 0))) for i in range(10)]
    with pytest.raises(ValidationError, match="一次最多上传 9 个文件"):
        attachments_store(files, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.c1_liaison)
    assert not Attachment.objects.exists()


def test_unregistered_owner_kind_is_a_programming_error(world):
    with pytest.raises(ImproperlyConfigured):
        attachment_store(
            upload("a.png", samples.png_bytes()), owner_kind="nobody.home", owner_id=1, actor=None
        )


def test_owner_must_be_a_saved_record(world, unit_kind):
    with pytest.raises(ValueError):
        attachment_store(upload("a.png", samples.png_bytes()), owner_kind=unit_kind, owner_id=0, actor=None)


def test_the_database_refuses_an_unbound_row(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.create(owner_kind="x", owner_id=0, name="a", content_type="image/png", size=1,
                                  sha256="0" * 64, blob="b")


def test_a_rolled_back_transaction_leaves_no_row_but_an_orphan_blob(world, unit_kind, media_root):
    with pytest.raises(RuntimeError), transaction.atomic():
        a = store(world, unit_kind)
        raise RuntimeError("the owner's service failed after storing")
    assert not Attachment.objects.exists()
    assert storage.blob_path(a.blob).is_file()  # for cleanup_orphans (test_gc.py)


def test_delete_removes_the_blob_after_commit(world, unit_kind, django_capture_on_commit_callbacks):
    a = store(world, unit_kind)
    path = storage.blob_path(a.blob)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_delete(attachment=a, actor=world.c1_head)
    assert path.is_file()  # not before commit
    assert not Attachment.objects.filter(pk=a.pk).exists()
    for callback in callbacks:
        callback()
    assert not path.exists()
    entry = Entry.objects.get(event="attachment.delete")
    assert entry.actor_id == world.c1_head.pk and entry.object_id == str(a.pk)


def test_delete_keeps_a_blob_another_row_uses(world, unit_kind, django_capture_on_commit_callbacks):
    a = store(world, unit_kind)
    b = store(world, unit_kind, owner=world.community2)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=a, actor=world.c1_head)
    assert storage.blob_path(b.blob).read_bytes() == samples.png_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=b, actor=world.c2_head)
    assert not storage.blob_path(b.blob).exists()


def test_blob_path_refuses_anything_but_a_blob_name():
    for bad in ("../secret.key", "/etc/passwd", "attachments/../../x", "attachments/ab/cd/" + "g" * 64, ""):
        with pytest.raises(ValueError):
            storage.blob_path(bad)


def test_refuses_to_run_outside_the_owners_transaction(world, unit_kind, monkeypatch):
    """Outside a transaction the row could commit without the owner's record (or the other way
    round); the test database always runs inside one, so pretend it does not."""
    from types import SimpleNamespace

    from chuangwen.attachments import services

    outside = SimpleNamespace(in_atomic_block=False)
    monkeypatch.setattr(services.transaction, "get_connection", lambda: outside)
    with pytest.raises(RuntimeError, match="inside the owning service's transaction"):
        store(world, unit_kind)
