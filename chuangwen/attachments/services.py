"""Storing, opening and deleting attachments.  Called by the owning apps' services, inside
their transactions; each change is audited.  The owner decides who may attach or delete (its
acting rule); this app checks the files themselves."""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from chuangwen.audit.log import record

from . import access, storage
from .models import Attachment, PhotoEvidence
from .photos import MAX_PHOTOS, PreparedPhoto, prepare_photo, prepare_photos
from .validation import ALL_KINDS, Checked, max_upload_bytes, validate_upload

logger = logging.getLogger(__name__)

MAX_FILES = 9  # per upload (a form, an API call): the nine-photo grid people know from WeChat

__all__ = [
    "MAX_FILES", "MAX_PHOTOS", "StagedPhoto", "attachment_delete", "attachment_open", "attachment_store",
    "attachments_store", "cleanup_orphans", "photo_store", "photos_stage", "photos_store", "prepare_photo",
    "prepare_photos", "validate_upload",
]


def _require_owner(owner_kind: str, owner_id: int) -> None:
    if access.owner_kind(owner_kind) is None:
        raise ImproperlyConfigured(f"attachment owner kind {owner_kind!r} is not registered")
    if not isinstance(owner_id, int) or owner_id <= 0:
        raise ValueError("attachments are stored for a saved owner record (owner_id > 0)")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("attachment_store runs inside the owning service's transaction")


def _write_temp(f, *, name: str, expected_size: int, limit: int | None):
    temp, sha256, size = storage.write_temp(f)
    if size != expected_size or (limit is not None and size > limit):
        temp.unlink(missing_ok=True)
        raise ValidationError(f"文件“{name}”在上传过程中发生变化,请重新上传。", code="changed")
    return temp, sha256, size


def _store_file(
    f, *, name: str, content_type: str, expected_size: int, limit: int | None, owner_kind: str, owner_id: int,
    actor, extra_changes: dict | None = None, staged: "StagedPhoto | None" = None,
) -> Attachment:
    if staged is None:
        temp, sha256, size = _write_temp(f, name=name, expected_size=expected_size, limit=limit)
    else:
        sha256, size = staged.sha256, staged.size
    with transaction.atomic():
        storage.lock_blob(sha256)
        if staged is None:
            blob = storage.commit_temp(temp, sha256, size)
        else:
            blob = _claim_staged(staged)
        attachment = Attachment(
            owner_kind=owner_kind, owner_id=owner_id, name=name, content_type=content_type,
            size=size, sha256=sha256, blob=blob, uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        attachment.full_clean()
        attachment.save(force_insert=True)
        record(
            "attachment.upload", actor=actor, obj=attachment,
            changes={
                "owner": [None, access.owner_repr(attachment)], "name": [None, attachment.name],
                "size": [None, size], "content_type": [None, attachment.content_type],
                "sha256": [None, sha256], **(extra_changes or {}),
            },
        )
    return attachment


def _store_checked(f, checked: Checked, *, owner_kind: str, owner_id: int, actor) -> Attachment:
    return _store_file(
        f, name=checked.name, content_type=checked.content_type, expected_size=checked.size,
        limit=max_upload_bytes(), owner_kind=owner_kind, owner_id=owner_id, actor=actor,
    )


def attachment_store(f, *, owner_kind: str, owner_id: int, actor, kinds=ALL_KINDS) -> Attachment:
    """Check one uploaded file and store it for (owner_kind, owner_id).  Raises ValidationError
    with a message naming the file.  Must run inside the owner's transaction."""
    _require_owner(owner_kind, owner_id)
    checked = validate_upload(f, kinds=kinds)
    return _store_checked(f, checked, owner_kind=owner_kind, owner_id=owner_id, actor=actor)


def attachments_store(
    files: Iterable, *, owner_kind: str, owner_id: int, actor, kinds=ALL_KINDS, max_files: int = MAX_FILES
) -> list[Attachment]:
    """Store several files, all or none: every file is checked before the first is stored, and
    all rejections are reported together."""
    files = list(files)
    _require_owner(owner_kind, owner_id)
    if len(files) > max_files:
        raise ValidationError(f"一次最多上传 {max_files} 个文件,您选择了 {len(files)} 个。", code="count")
    checked, errors = [], []
    for f in files:
        try:
            checked.append(validate_upload(f, kinds=kinds))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return [
            _store_checked(f, c, owner_kind=owner_kind, owner_id=owner_id, actor=actor)
            for f, c in zip(files, checked, strict=True)
        ]


# --- photos -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StagedPhoto:
    """A prepared photo whose blob `photos_stage` already wrote to its content address."""

    photo: PreparedPhoto
    sha256: str
    blob: str

    @property
    def size(self) -> int:
        return self.photo.size


def photos_stage(photos: Iterable, *, evidence: bool, max_files: int = MAX_PHOTOS) -> list[StagedPhoto]:
    """Prepare photos (as `photos_store` does) and write their blobs now, before the owner opens
    its transaction, so the hashing and fsyncs are not done under its locks; pass the result to
    `photos_store`.  A blob whose transaction never commits is an orphan for `cleanup_orphans`,
    as after any rollback; `photos_store` checks again, under the blob's lock, that the blob is
    still there (a remover may have taken it meanwhile) and writes it again if not."""
    staged = []
    for photo in prepare_photos(photos, keep_evidence=evidence, max_files=max_files):
        temp, sha256, size = _write_temp(photo.file(), name=photo.name, expected_size=photo.size, limit=None)
        staged.append(StagedPhoto(photo=photo, sha256=sha256, blob=storage.commit_temp(temp, sha256, size)))
    return staged


def _claim_staged(staged: StagedPhoto) -> str:
    """The staged blob, written again if it went meanwhile (call holding `lock_blob`)."""
    path = storage.blob_path(staged.blob)
    if path.is_file() and path.stat().st_size == staged.size:
        return staged.blob
    temp, sha256, size = _write_temp(staged.photo.file(), name=staged.photo.name, expected_size=staged.size,
                                     limit=None)
    if sha256 != staged.sha256:
        temp.unlink(missing_ok=True)
        raise ValidationError(f"文件“{staged.photo.name}”在上传过程中发生变化,请重新上传。", code="changed")
    return storage.commit_temp(temp, sha256, size)


def _store_prepared(
    photo: PreparedPhoto | StagedPhoto, *, owner_kind: str, owner_id: int, actor, evidence: bool
) -> Attachment:
    staged = photo if isinstance(photo, StagedPhoto) else None
    photo = staged.photo if staged is not None else photo
    metadata = photo.metadata if evidence else None
    with transaction.atomic():
        attachment = _store_file(
            photo.file(), name=photo.name, content_type=photo.content_type, expected_size=photo.size,
            limit=None, owner_kind=owner_kind, owner_id=owner_id, actor=actor, staged=staged,
            extra_changes={
                # What was uploaded, so the original can be recognised later; never the
                # evidence itself (the audit log is read by the auditor, not for GPS).
                "original_content_type": [None, photo.original.content_type],
                "original_size": [None, photo.original.size],
                "original_sha256": [None, photo.original_sha256],
                "evidence": [None, metadata is not None],
            },
        )
        if metadata is not None:
            row = PhotoEvidence(
                attachment=attachment, taken_at=metadata.taken_at, gps_lat=metadata.gps_lat,
                gps_lng=metadata.gps_lng, device=metadata.device, extracted_at=metadata.extracted_at,
            )
            row.full_clean()
            row.save(force_insert=True)
    return attachment


def photo_store(photo, *, owner_kind: str, owner_id: int, actor, evidence: bool) -> Attachment:
    """Check, re-encode and store one photo for (owner_kind, owner_id); see `photos_store`."""
    return photos_store([photo], owner_kind=owner_kind, owner_id=owner_id, actor=actor, evidence=evidence,
                        max_files=1)[0]


def photos_store(
    photos: Iterable, *, owner_kind: str, owner_id: int, actor, evidence: bool, max_files: int = MAX_PHOTOS
) -> list[Attachment]:
    """Store several photos, all or none: each is checked and re-encoded to a metadata-free
    JPEG (`photos.prepare_photo`) before the first is stored, and all rejections are reported
    together.  The attachment's sha256 is the re-encoded file's.

    `evidence=True` (staff photos: inspections, rectification, rechecks) keeps the EXIF time,
    GPS and device in a `PhotoEvidence` row when the photo carried any; `evidence=False`
    (citizens) keeps nothing.  Either way the stored file has no metadata, so it is the public
    copy too.

    Items may be uploaded files or `PreparedPhoto`s.  Re-encoding costs 0.1-0.5 s a photo: an
    owner whose transaction holds the database's write lock (SQLite) should call
    `prepare_photos(files, keep_evidence=...)` before opening it and pass the results here.
    Items may also be `StagedPhoto`s (`photos_stage`: the blobs written before the owner's
    transaction).  Must run inside the owner's transaction."""
    photos = list(photos)
    _require_owner(owner_kind, owner_id)
    if photos and all(isinstance(p, StagedPhoto) for p in photos):
        # Checked as prepared photos are (count, evidence kept), stored with their blobs.
        prepare_photos([p.photo for p in photos], keep_evidence=evidence, max_files=max_files)
        prepared = photos
    else:
        prepared = prepare_photos(photos, keep_evidence=evidence, max_files=max_files)
    with transaction.atomic():
        return [
            _store_prepared(p, owner_kind=owner_kind, owner_id=owner_id, actor=actor, evidence=evidence)
            for p in prepared
        ]


# --- reading and deleting --------------------------------------------------------------------------

def attachment_open(*, attachment: Attachment, actor):
    """Open the blob of an attachment the caller has already checked `actor` may see (use
    `access.access_attachment`), and audit the download.  Raises FileNotFoundError."""
    handle = open(storage.blob_path(attachment.blob), "rb")  # noqa: SIM115  (FileResponse closes it)
    try:
        record(
            "attachment.download", actor=actor, obj=attachment,
            changes={"owner": [None, access.owner_repr(attachment)]},
        )
    except BaseException:
        handle.close()
        raise
    return handle


def attachment_delete(*, attachment: Attachment, actor) -> None:
    """Remove an attachment row (the owner's service has checked `actor` may).  The blob goes
    after commit, unless another row still uses the same content."""
    with transaction.atomic():
        pk, sha256, blob = attachment.pk, attachment.sha256, attachment.blob
        record(
            "attachment.delete", actor=actor, obj=attachment,
            changes={"owner": [access.owner_repr(attachment), None], "name": [attachment.name, None]},
        )
        Attachment.objects.filter(pk=pk).delete()
        transaction.on_commit(lambda: _remove_if_unreferenced(sha256, blob))


def _remove_if_unreferenced(sha256: str, blob: str) -> bool:
    with transaction.atomic():
        storage.lock_blob(sha256)
        if Attachment.objects.filter(sha256=sha256).exists():
            return False
        return storage.remove(blob)


def cleanup_orphans(*, older_than: timedelta = timedelta(days=1), dry_run: bool = False) -> list[str]:
    """Delete blobs no attachment references, last written more than `older_than` ago (a
    younger one may belong to a transaction still running), and temp files that old (a writer
    killed mid-copy).  Returns the blob names removed (or that would be)."""
    cutoff = time.time() - older_than.total_seconds()
    candidates = [name for name, mtime in storage.iter_blobs() if mtime < cutoff]
    orphans = []
    for i in range(0, len(candidates), 500):
        batch = {name.rsplit("/", 1)[-1]: name for name in candidates[i:i + 500]}
        used = set(Attachment.objects.filter(sha256__in=batch).values_list("sha256", flat=True))
        orphans.extend((sha, name) for sha, name in batch.items() if sha not in used)
    removed = []
    for sha256, name in orphans:
        # Checked again under the blob lock: an identical upload may have claimed it since.
        if dry_run or _remove_if_unreferenced(sha256, name):
            removed.append(name)
    temps = [path for path, mtime in storage.iter_temps() if mtime < cutoff]
    if not dry_run:
        for path in temps:
            path.unlink(missing_ok=True)
        if removed or temps:
            record(
                "attachment.gc", object_type="attachments.blob",
                changes={"blobs_removed": [None, len(removed)], "temp_removed": [None, len(temps)]},
            )
            logger.info("attachments_gc: removed %d blobs, %d temp files", len(removed), len(temps))
    return removed
