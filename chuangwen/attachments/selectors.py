"""Reads of attachments.  The owner's page has already applied its seeing rule to the owner
records; these return their files (the download view checks again)."""

from collections.abc import Iterable

from django.urls import reverse

from chuangwen.accounts.permissions import has_verb

from . import access
from .access import download_token
from .models import Attachment, PhotoEvidence


def attachments_for(owner_kind: str, owner_ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """The files of many owner records in one query: {owner_id: [attachments, oldest first]}
    (owners without files are absent)."""
    result: dict[int, list[Attachment]] = {}
    ids = list(owner_ids)
    if not ids:
        return result
    rows = Attachment.objects.filter(owner_kind=owner_kind, owner_id__in=ids).order_by("uploaded_at", "pk")
    for attachment in rows:
        result.setdefault(attachment.owner_id, []).append(attachment)
    return result


def attachment_url(attachment: Attachment) -> str:
    return reverse("attachments:download", kwargs={"pk": attachment.pk, "token": download_token(attachment)})


def photo_evidence(user, attachment: Attachment) -> PhotoEvidence | None:
    """When, where and with what a staff photo was taken, for HQ staff and inspectors who see
    the photo's owner; None for everyone else and for photos without evidence (citizens'
    photos, or no EXIF).  Never put it on a public page: the public sees the stored file,
    which carries none of it."""
    if not access.can_view_evidence(user, attachment):
        return None
    return PhotoEvidence.objects.filter(attachment_id=attachment.pk).first()


def photo_evidence_for(user, attachments: Iterable[Attachment]) -> dict[int, PhotoEvidence]:
    """`photo_evidence` for the photos of a page, in one query (plus one scope check per owner
    record): {attachment id: evidence}, absent where none may be shown."""
    attachments = list(attachments)
    if not attachments or not has_verb(user, access.EVIDENCE_VERB):
        return {}
    owners: dict[tuple[str, int], bool] = {}
    ids = []
    for attachment in attachments:
        key = (attachment.owner_kind, attachment.owner_id)
        if key not in owners:
            owners[key] = access.can_view(user, attachment)
        if owners[key]:
            ids.append(attachment.pk)
    if not ids:
        return {}
    return {row.attachment_id: row for row in PhotoEvidence.objects.filter(attachment_id__in=ids)}
