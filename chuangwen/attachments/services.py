"""Storing, opening and deleting attachments.  Called by the owning apps' services, inside
their transactions; each change is audited.  The owner decides who may attach or delete (its
acting rule); this app checks the files themselves."""

import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from chuangwen.audit.log import record

from . import access, storage
from .models import Attachment
from .validation import ALL_KINDS, Checked, max_upload_bytes, validate_upload

logger = logging.getLogger(__name__)

MAX_FILES = 9  # per upload (a form, an API call): the nine-photo grid people know from WeChat

__all__ = [
    "MAX_FILES", "attachment_delete", "attachment_open", "attachment_store", "attachments_store",
    "cleanup_orphans", "validate_upload",
]


def _require_owner(owner_kind: str, owner_id: int) -> None:
    if access.owner_kind(owner_kind) is None:
        raise ImproperlyConfigured(f"attachment owner kind {owner_kind!r} is not registered")
    if not isinstance(owner_id, int) or owner_id <= 0:
        raise ValueError("attachments are stored for a saved owner record (owner_id > 0)")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("attachment_store runs inside the owning service's transaction")


def _store_checked(f, checked: Checked, *, owner_kind: str, owner_id: int, actor) -> Attachment:
    temp, sha256, size = storage.write_temp(f)
    if size != checked.size or size > max_upload_bytes():
        temp.unlink(missing_ok=True)
        raise ValidationError(f"文件“{checked.name}”在上传过程中发生变化,请重新上传。", code="changed")
    with transaction.atomic():
        storage.lock_blob(sha256)
        blob = storage.commit_temp(temp, sha256, size)
        attachment = Attachment(
            owner_kind=owner_kind, owner_id=owner_id, name=checked.name, content_type=checked.content_type,
            size=size, sha256=sha256, blob=blob, uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        attachment.full_clean()
        attachment.save(force_insert=True)
        record(
            "attachment.upload", actor=actor, obj=attachment,
            changes={
                "owner": [None, access.owner_repr(attachment)], "name": [None, attachment.name],
                "size": [None, size], "content_type": [None, attachment.content_type],
                "sha256": [None, sha256],
            },
        )
    return attachment


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
