"""Security events into the audit log: logins, failures, lockouts, logouts."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    now = int(time.time())
    if request is not None and hasattr(request, "session"):
        request.session["cw_login_at"] = now
        request.session["cw_seen"] = now
    record("login", actor=user, obj=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    if sender == "chuangwen.accounts.mfa":
        return  # a wrong second-factor code: mfa.py has audited it as mfa.failed already
    # Only the username typed, never the password; no hint whether the account exists.
    username = str((credentials or {}).get("username", ""))[:150]
    record(
        "login.failed", outcome=Outcome.FAILURE, object_type="accounts.user",
        object_repr=username, actor_name=username,
    )


@receiver(user_locked_out)
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(
        "login.lockout", outcome=Outcome.DENIED, object_type="accounts.user",
        object_repr=str(username or "")[:150], actor_name=str(username or "")[:150],
    )


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, obj=user)
