"""Storing photos: the stored file is the re-encoded, metadata-free JPEG for everyone; a staff
photo's EXIF evidence lives in a row only HQ staff and inspectors within scope can read."""

import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from PIL import Image

from chuangwen.attachments import storage
from chuangwen.attachments.access import access_photo_evidence, can_view_evidence
from chuangwen.attachments.models import Attachment, PhotoEvidence
from chuangwen.attachments.photos import prepare_photos
from chuangwen.attachments.selectors import photo_evidence, photo_evidence_for
from chuangwen.attachments.services import attachment_delete, photo_store, photos_store
from chuangwen.audit.models import Entry, Outcome

from . import samples
from .samples import upload

pytestmark = pytest.mark.django_db


def store(world, kind, *, evidence, data=None, name="整改后.jpg", owner=None, actor=None):
    with transaction.atomic():
        return photo_store(
            upload(name, data if data is not None else samples.phone_photo()), owner_kind=kind,
            owner_id=(owner or world.community).pk, actor=actor or world.inspector, evidence=evidence,
        )


def stored_bytes(attachment) -> bytes:
    return storage.blob_path(attachment.blob).read_bytes()


def assert_no_metadata(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert not im.getexif()
    for marker in (b"Exif", b"GPS", b"HUAWEI", b"xmpmeta", b"ICC_PROFILE"):
        assert marker not in data


def files_in(media_root) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


# --- storing --------------------------------------------------------------------------------------

def test_citizen_photo_is_stored_without_exif_and_without_evidence(world, unit_kind):
    a = store(world, unit_kind, evidence=False, actor=world.outsider)
    data = stored_bytes(a)
    assert_no_metadata(data)
    assert (a.name, a.content_type, a.size) == ("整改后.jpg", "image/jpeg", len(data))
    assert a.sha256 == hashlib.sha256(data).hexdigest()  # the re-encoded bytes' hash
    assert not PhotoEvidence.objects.exists()


def test_staff_photo_is_stored_without_exif_but_keeps_its_evidence(world, unit_kind):
    a = store(world, unit_kind, evidence=True)
    assert_no_metadata(stored_bytes(a))
    row = PhotoEvidence.objects.get(attachment=a)
    assert abs(row.gps_lat - Decimal(str(samples.SHOT_GPS[0]))) < Decimal("1e-6")
    assert abs(row.gps_lng - Decimal(str(samples.SHOT_GPS[1]))) < Decimal("1e-6")
    assert row.taken_at.isoformat() == "2025-05-01T01:30:15+00:00"  # 09:30:15 +08:00
    assert row.device == "HUAWEI P40"
    assert row.extracted_at is not None


def test_staff_photo_without_exif_gets_no_evidence_row(world, unit_kind):
    store(world, unit_kind, evidence=True, data=samples.jpeg_bytes())
    assert Attachment.objects.count() == 1
    assert not PhotoEvidence.objects.exists()


def test_evidence_is_not_reachable_from_the_attachment(world, unit_kind):
    """No reverse accessor: a template given the attachment cannot print its GPS."""
    a = store(world, unit_kind, evidence=True)
    assert not hasattr(a, "evidence") and not hasattr(a, "photoevidence")


def test_png_is_stored_as_jpeg_under_a_jpg_name(world, unit_kind):
    a = store(world, unit_kind, evidence=False, name="现场.png", data=samples.phone_photo("PNG"))
    assert (a.name, a.content_type) == ("现场.jpg", "image/jpeg")
    assert stored_bytes(a).startswith(b"\xff\xd8")


def test_upload_is_audited_with_the_original_but_never_the_evidence(world, unit_kind):
    original = samples.phone_photo()
    a = store(world, unit_kind, evidence=True, data=original)
    entry = Entry.objects.get(event="attachment.upload")
    assert entry.actor_id == world.inspector.pk and entry.object_id == str(a.pk)
    changes = entry.changes
    assert changes["sha256"] == [None, a.sha256] and changes["size"] == [None, a.size]
    assert changes["content_type"] == [None, "image/jpeg"]
    assert changes["original_sha256"] == [None, hashlib.sha256(original).hexdigest()]
    assert changes["original_size"] == [None, len(original)]
    assert changes["original_content_type"] == [None, "image/jpeg"]
    assert changes["evidence"] == [None, True]
    assert "30.57" not in str(changes) and "HUAWEI" not in str(changes)


def test_citizen_upload_audit_says_no_evidence_was_kept(world, unit_kind):
    store(world, unit_kind, evidence=False, actor=world.outsider)
    assert Entry.objects.get(event="attachment.upload").changes["evidence"] == [None, False]


def test_several_photos_all_or_nothing(world, unit_kind, media_root):
    photos = [upload("一.jpg", samples.phone_photo()), upload("二.png", samples.png_bytes() + b"<?php ?>\n"),
              upload("三.jpg", samples.exe_bytes())]
    with pytest.raises(ValidationError) as info, transaction.atomic():
        photos_store(photos, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.hq, evidence=True)
    assert len(info.value.messages) == 2
    assert "二.png" in info.value.messages[0] and "三.jpg" in info.value.messages[1]
    assert not Attachment.objects.exists() and not PhotoEvidence.objects.exists()
    assert not files_in(media_root)


def test_nine_photos_are_stored_in_order(world, unit_kind):
    photos = [upload(f"{i}.jpg", samples.phone_photo(size=(32 + i, 24))) for i in range(9)]
    with transaction.atomic():
        stored = photos_store(photos, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.hq,
                              evidence=True)
    assert [a.name for a in stored] == [f"{i}.jpg" for i in range(9)]
    assert PhotoEvidence.objects.count() == 9


def test_ten_photos_are_refused(world, unit_kind, media_root):
    photos = [upload(f"{i}.jpg", samples.phone_photo()) for i in range(10)]
    with pytest.raises(ValidationError, match="一次最多上传 9 张照片,您选择了 10 张"), transaction.atomic():
        photos_store(photos, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.hq,
                     evidence=False)
    assert not Attachment.objects.exists()
    assert not files_in(media_root)


def test_photos_prepared_before_the_transaction_are_stored_as_prepared(world, unit_kind, monkeypatch):
    from chuangwen.attachments import photos

    prepared = prepare_photos([upload("a.jpg", samples.phone_photo())], keep_evidence=True)
    monkeypatch.setattr(photos, "prepare_photo", lambda *a, **k: pytest.fail("re-encoded twice"))
    with transaction.atomic():
        [a] = photos_store(prepared, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.hq,
                           evidence=True)
    assert stored_bytes(a) == prepared[0].content
    assert PhotoEvidence.objects.filter(attachment=a).exists()


def test_a_photo_prepared_with_evidence_stored_as_a_citizens_keeps_none(world, unit_kind):
    [prepared] = prepare_photos([upload("a.jpg", samples.phone_photo())], keep_evidence=True)
    assert prepared.metadata
    with transaction.atomic():
        photo_store(prepared, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.outsider,
                    evidence=False)
    assert not PhotoEvidence.objects.exists()


def test_deleting_the_photo_deletes_its_evidence(world, unit_kind, django_capture_on_commit_callbacks):
    a = store(world, unit_kind, evidence=True)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=a, actor=world.hq)
    assert not PhotoEvidence.objects.exists()
    assert not storage.blob_path(a.blob).exists()


def test_the_database_refuses_an_empty_or_half_evidence_row(world, unit_kind):
    from django.db import IntegrityError

    a = store(world, unit_kind, evidence=False)
    for fields in ({}, {"gps_lat": Decimal("30.1")}, {"gps_lat": Decimal("91"), "gps_lng": Decimal("100")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PhotoEvidence.objects.create(attachment=a, **fields)


# --- who sees the evidence ---------------------------------------------------------------------------

@pytest.fixture
def evidence_photo(world, unit_kind):
    return store(world, unit_kind, evidence=True)


def test_hq_staff_sees_the_evidence(world, evidence_photo):
    row = photo_evidence(world.hq, evidence_photo)
    assert row is not None and row.device == "HUAWEI P40"


def test_an_inspector_within_scope_sees_the_evidence(world, evidence_photo):
    from chuangwen.org.services import post_appoint

    post_appoint(person=world.inspector, unit=world.street, title="督查员")
    assert photo_evidence(world.inspector, evidence_photo).gps_lat is not None


@pytest.mark.parametrize("persona", [
    "inspector",  # holds the verb, but sees no unit (no post): out of scope
    "c1_head", "c1_liaison",  # see the community, but not the verb
    "mayor",  # sees everything, not the verb
    "secadmin",  # sees every unit (三员: roles and posts), not the verb
    "e1_head", "outsider", "sysadmin", "auditor",
])
def test_everyone_else_gets_none(world, evidence_photo, persona):
    user = getattr(world, persona)
    assert photo_evidence(user, evidence_photo) is None
    assert not can_view_evidence(user, evidence_photo)
    assert photo_evidence_for(user, [evidence_photo]) == {}


def test_an_inspector_of_another_district_gets_none(world, evidence_photo):
    from chuangwen.org.services import post_appoint

    post_appoint(person=world.inspector, unit=world.other_district, title="督查员")
    assert photo_evidence(world.inspector, evidence_photo) is None


def test_anonymous_and_inactive_users_get_none(world, evidence_photo):
    from django.contrib.auth.models import AnonymousUser

    assert photo_evidence(AnonymousUser(), evidence_photo) is None
    world.hq.is_active = False
    assert photo_evidence(world.hq, evidence_photo) is None


def test_a_citizens_photo_has_no_evidence_even_for_hq(world, unit_kind):
    a = store(world, unit_kind, evidence=False, actor=world.outsider)
    assert photo_evidence(world.hq, a) is None


def test_evidence_for_a_page_of_photos_in_one_query(world, unit_kind, django_assert_num_queries):
    photos = [store(world, unit_kind, evidence=True, data=samples.phone_photo(size=(30 + i, 20)))
              for i in range(3)]
    other = store(world, unit_kind, evidence=True, owner=world.other_community)
    citizen = store(world, unit_kind, evidence=False)
    from chuangwen.org.selectors import scope_roots

    scope_roots(world.hq)  # the scope is cached per request; count the evidence queries only
    with django_assert_num_queries(3):  # scope check per owner record (2) + evidence (1)
        found = photo_evidence_for(world.hq, [*photos, other, citizen])
    assert set(found) == {a.pk for a in [*photos, other]}


def test_evidence_for_a_page_leaves_out_owners_out_of_scope(world, unit_kind):
    from chuangwen.org.services import post_appoint

    post_appoint(person=world.inspector, unit=world.community, title="督查员")
    mine = store(world, unit_kind, evidence=True)
    theirs = store(world, unit_kind, evidence=True, owner=world.other_community)
    assert set(photo_evidence_for(world.inspector, [mine, theirs])) == {mine.pk}


def test_access_photo_evidence_answers_404_out_of_scope_and_403_without_the_verb(world, evidence_photo):
    assert access_photo_evidence(world.hq, pk=evidence_photo.pk).device == "HUAWEI P40"
    with pytest.raises(Http404):
        access_photo_evidence(world.e1_head, pk=evidence_photo.pk)
    with pytest.raises(Http404):
        access_photo_evidence(world.hq, pk=evidence_photo.pk + 1000)
    with pytest.raises(PermissionDenied, match="查看照片拍摄信息"):
        access_photo_evidence(world.c1_head, pk=evidence_photo.pk)
    denied = Entry.objects.filter(outcome=Outcome.DENIED).order_by("seq")
    assert [(e.event, e.actor_id) for e in denied] == [
        ("attachment.denied", world.e1_head.pk), ("permission.denied", world.c1_head.pk),
    ]


def test_the_download_serves_the_stripped_file_to_whoever_sees_the_owner(world, evidence_photo, login):
    from chuangwen.attachments.selectors import attachment_url

    response = login(world.c1_liaison).get(attachment_url(evidence_photo))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert_no_metadata(body)
    assert body == stored_bytes(evidence_photo)


def test_a_staged_blob_removed_before_the_store_is_written_again(world, unit_kind):
    """photos_stage writes the blob before the owner's transaction; if a remover (the orphan
    cleanup) takes it meanwhile, photos_store writes it again, so no attachment points nowhere."""
    from chuangwen.attachments.services import photos_stage

    staged = photos_stage([upload("现场.jpg", samples.phone_photo())], evidence=False)
    path = storage.blob_path(staged[0].blob)
    assert path.exists()
    storage.remove(staged[0].blob)
    assert not path.exists()
    with transaction.atomic():
        (attachment,) = photos_store(staged, owner_kind=unit_kind, owner_id=world.community.pk, actor=world.hq,
                                     evidence=False)
    assert stored_bytes(attachment) == path.read_bytes()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == attachment.sha256
