"""Reads of attachments.  The owner's page has already applied its seeing rule to the owner
records; these return their files (the download view checks again)."""

from collections.abc import Iterable

from django.urls import reverse

from .access import download_token
from .models import Attachment


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
