"""Issuing and revoking API tokens (the security administrator's job)."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.accounts.permissions import require_verb

from .models import ApiToken

TOKEN_PREFIX = "cw_"
MAX_DAYS = 365


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue(*, person, name: str, days: int = 90, actor) -> tuple[ApiToken, str]:
    """Create a token; the plaintext is returned once and never stored."""
    require_verb(actor, "apikey.manage")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"有效期须在 1 至 {MAX_DAYS} 天之间。")
    if not person.is_active:
        raise ValidationError("该人员账号已停用。")
    prefix = secrets.token_hex(5)
    # Hex, so the token has exactly two underscores and splits unambiguously.
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_hex(32)}"
    with transaction.atomic():
        token = ApiToken(
            person=person, name=name.strip()[:60] or "接口调用", prefix=prefix, digest=digest(plaintext),
            expires_at=timezone.now() + timedelta(days=days), created_by=str(actor),
        )
        token.full_clean()
        token.save()
        record("apitoken.issue", actor=actor, obj=token, changes={
            "person": [None, person.username], "expires_at": [None, token.expires_at.isoformat()],
        })
    return token, plaintext


def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    require_verb(actor, "apikey.manage")
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record("apitoken.revoke", actor=actor, obj=locked)
    return locked


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token `raw` names, or None.  Constant-time compare of the digest."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix = raw[len(TOKEN_PREFIX):].split("_", 1)[0]
    token = ApiToken.objects.usable().select_related("person").filter(prefix=prefix).first()
    if token is None or not secrets.compare_digest(token.digest, digest(raw)):
        return None
    now = timezone.now()
    # Touch at most hourly: a token used in a loop must not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
