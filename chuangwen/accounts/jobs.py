"""Background entry points for accounts (run by a scheduler or `chuangwen <command>`)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import User
from .services import user_set_active


def stale_accounts(*, now=None):
    """Active accounts unused for ACCOUNT_STALE_DAYS: last login (or creation, if they never
    logged in) before the cut-off.  Accounts younger than that are never stale."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCOUNT_STALE_DAYS)
    return (
        User.objects.filter(is_active=True, date_joined__lt=cutoff)
        .annotate(last_used=Coalesce("last_login", "date_joined"))
        .filter(Q(last_used__lt=cutoff))
        .order_by("pk")
    )


def disable_stale_accounts(*, now=None) -> list[User]:
    """Disable every stale account, one audited service call each (system as the actor)."""
    days = settings.ACCOUNT_STALE_DAYS
    if days <= 0:
        return []
    disabled = []
    for user in stale_accounts(now=now):
        user_set_active(user=user, active=False, actor=None, reason=f"超过 {days} 天未登录,自动停用")
        disabled.append(user)
    return disabled
