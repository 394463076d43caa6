"""Who may see an attachment: decided by the app that owns it.

An owning app registers its kind once, in its AppConfig.ready():

    from chuangwen.attachments.access import register
    register("tasks.progress", "进度报送", lambda user, owner_id: progress_visible_to(user)
             .filter(pk=owner_id).exists())

`can_view(user, owner_id)` must apply the app's seeing rule (the same selector its pages use).
A file of an unregistered kind is visible to no one.

A staff photo's evidence (`PhotoEvidence`: time, GPS, device) needs more: the verb
"photo.evidence" (HQ staff, inspectors) on top of seeing the photo.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.http import Http404
from django.utils.crypto import constant_time_compare, salted_hmac

from chuangwen.accounts.permissions import deny, has_verb
from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome

from .models import Attachment, PhotoEvidence

TOKEN_LENGTH = 24
EVIDENCE_VERB = "photo.evidence"


@dataclass(frozen=True)
class OwnerKind:
    code: str
    label: str
    can_view: Callable[[Any, int], bool]


_registry: dict[str, OwnerKind] = {}


def register(owner_kind: str, label: str, can_view: Callable[[Any, int], bool]) -> None:
    """Declare an owner kind (e.g. "tasks.progress") and its scope check.  Registering the same
    kind again with another checker is a configuration error (two apps claiming one code)."""
    if not owner_kind or len(owner_kind) > Attachment._meta.get_field("owner_kind").max_length:
        raise ImproperlyConfigured(f"invalid attachment owner kind {owner_kind!r}")
    existing = _registry.get(owner_kind)
    if existing is not None and existing.can_view is not can_view:
        raise ImproperlyConfigured(f"attachment owner kind {owner_kind!r} is already registered")
    _registry[owner_kind] = OwnerKind(owner_kind, label, can_view)


def unregister(owner_kind: str) -> None:
    """For tests that register a kind of their own."""
    _registry.pop(owner_kind, None)


def owner_kind(code: str) -> OwnerKind | None:
    return _registry.get(code)


def can_view(user, attachment: Attachment) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    kind = _registry.get(attachment.owner_kind)
    if kind is None:
        return False
    try:
        return bool(kind.can_view(user, attachment.owner_id))
    except ObjectDoesNotExist:  # the owner record is gone
        return False


def download_token(attachment: Attachment) -> str:
    """The URL part that must accompany the id: a MAC over id and content, so ids cannot be
    walked and no file name (personal information, often) reaches access logs."""
    value = f"{attachment.pk}:{attachment.sha256}"
    return salted_hmac("chuangwen.attachments.download", value, algorithm="sha256").hexdigest()[:TOKEN_LENGTH]


def owner_repr(attachment: Attachment) -> str:
    kind = _registry.get(attachment.owner_kind)
    label = kind.label if kind else attachment.owner_kind
    return f"{label}#{attachment.owner_id}"


def _visible_or_404(user, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("文件不存在。")
    if not can_view(user, attachment):
        record(
            "attachment.denied", actor=user if getattr(user, "pk", None) else None, obj=attachment,
            outcome=Outcome.DENIED, changes={"owner": [None, owner_repr(attachment)]},
        )
        raise Http404("文件不存在。")
    return attachment


def access_attachment(user, *, pk: int, token: str) -> Attachment:
    """Fetch an attachment `user` may see, or raise Http404 — the same answer for "no such
    file", "not yours" and "wrong token", so ids are not confirmed.  A refusal is audited."""
    attachment = _visible_or_404(user, pk)
    if not constant_time_compare(token, download_token(attachment)):
        raise Http404("文件不存在。")
    return attachment


def can_view_evidence(user, attachment: Attachment) -> bool:
    """May `user` see where and when this photo was taken: the verb and the owner's scope."""
    return has_verb(user, EVIDENCE_VERB) and can_view(user, attachment)


def access_photo_evidence(user, *, pk: int) -> PhotoEvidence | None:
    """For an endpoint that shows one photo's evidence: Http404 (audited) when `user` may not
    see the photo at all, PermissionDenied (audited) when they see it but lack the verb, else
    the evidence (None: none was kept — a citizen's photo, or no EXIF)."""
    attachment = _visible_or_404(user, pk)
    if not has_verb(user, EVIDENCE_VERB):
        deny(user, EVIDENCE_VERB, attachment)
    return PhotoEvidence.objects.filter(attachment_id=attachment.pk).first()
