"""Every change to an account: one function per verb, atomic, audited.

`actor` is the person acting; the permission is checked (before the transaction opens, so a
refusal's audit entry survives) whenever an actor is given.  `actor=None` means the system
itself: management commands, the demo loader, the test world.  Pages always pass the person.
"""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record

from .models import PasswordHistory, User
from .permissions import deny_self, require_verb
from .roles import Role, from_mask, is_valid_mask, to_mask

ROLES_CONFLICT = "系统管理员、安全管理员、审计管理员三种角色互斥,且不能兼任业务角色。"
# Roles that only make sense while the person holds the matching post (org.Post).
POST_ROLES = (Role.UNIT_HEAD, Role.LIAISON)


def _check(actor, verb: str) -> None:
    if actor is not None:
        require_verb(actor, verb)


def _check_other(actor, user, verb: str) -> None:
    """An administrator never acts on their own account: a security administrator who could
    change their own roles could make themselves auditor, and 三员分立 would be gone."""
    _check(actor, verb)
    if actor is not None and actor.pk == user.pk:
        deny_self(actor, verb)


# --- password history ----------------------------------------------------------------------


def password_reused(*, user: User, password: str) -> bool:
    """True if `password` is one of the person's last PASSWORD_HISTORY passwords (the current
    one included)."""
    if user.pk is None:
        return False
    keep = settings.PASSWORD_HISTORY
    hashes = list(
        PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")
        .values_list("password", flat=True)[:keep]
    )
    if user.has_usable_password() and user.password not in hashes:
        hashes.insert(0, user.password)  # accounts from before the history was kept
    return any(check_password(password, encoded) for encoded in hashes[:keep])


def _check_history(user: User, password: str) -> None:
    if password_reused(user=user, password=password):
        raise ValidationError(
            f"新密码不能与最近 {settings.PASSWORD_HISTORY} 次使用过的密码相同。",
            code="password_reused",
        )


def _remember_password(user: User) -> None:
    """Keep the new hash and only the newest PASSWORD_HISTORY rows.  Inside the caller's
    transaction."""
    PasswordHistory.objects.create(user=user, password=user.password, created_at=user.password_changed_at)
    old = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")[settings.PASSWORD_HISTORY:]
    PasswordHistory.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)


# --- accounts ------------------------------------------------------------------------------


def user_create(
    *, username: str, full_name: str, password: str | None = None, roles=(), actor=None,
    must_change_password: bool = True, mfa_required: bool = False,
) -> User:
    """A new account.  With a password, the person must change it at first login (unless
    `must_change_password=False`); without one, the account cannot log in until a password is
    reset."""
    _check(actor, "user.manage")
    user = User(username=username, full_name=full_name, roles_mask=to_mask(roles), mfa_required=mfa_required)
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
    user.must_change_password = must_change_password and password is not None
    user.full_clean()
    with transaction.atomic():
        user.save()
        if password is not None:
            PasswordHistory.objects.create(user=user, password=user.password, created_at=user.password_changed_at)
        record(
            "user.create", actor=actor, obj=user,
            changes={"username": [None, username], "full_name": [None, full_name],
                     "roles": [[], [str(r) for r in user.roles]],
                     "mfa_required": [None, mfa_required] if mfa_required else None},
        )
    return user


def user_set_active(*, user: User, active: bool, actor=None, reason: str = "") -> User:
    """Enable or disable an account.  A disabled account's sessions stop working at once
    (the authentication backend refuses inactive users)."""
    _check_other(actor, user, "user.manage")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.is_active
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        record(
            "user.enable" if active else "user.disable", actor=actor, obj=locked,
            changes={"is_active": [before, active], "reason": [None, reason] if reason else None},
        )
    user.is_active = active
    return user


def user_set_roles(*, user: User, roles, actor=None) -> User:
    _check_other(actor, user, "role.grant")
    new_mask = to_mask(roles)
    if not is_valid_mask(new_mask):
        raise ValidationError(ROLES_CONFLICT)
    with transaction.atomic():
        _save_roles(user, new_mask, actor)
    return user


def _save_roles(user: User, new_mask: int, actor, reason: str = "") -> None:
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = [str(r) for r in from_mask(locked.roles_mask)]
    locked.roles_mask = new_mask
    locked.full_clean()
    locked.save(update_fields=["roles_mask"])
    changes = {"roles": [before, [str(r) for r in locked.roles]]}
    if reason:
        changes["reason"] = [None, reason]
    record("user.roles", actor=actor, obj=locked, changes=changes)
    user.roles_mask = new_mask


def user_grant_role(*, user: User, role: str, actor=None) -> User:
    return user_set_roles(user=user, roles={*user.roles, Role(role)}, actor=actor)


def user_revoke_post_roles(*, user: User, roles, actor=None, reason: str = "") -> User:
    """Take away roles that came with a post that has ended (unit head, liaison).

    Called by `org.services.post_end` inside its transaction, after it has checked its own
    verb: this function can only remove the post-bound roles, never grant or touch others.
    """
    drop = {Role(r) for r in roles}
    if not drop <= set(POST_ROLES):
        raise ValueError(f"only post-bound roles can be revoked here: {sorted(drop)}")
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk).roles
        if drop & set(current):
            _save_roles(user, to_mask([r for r in current if r not in drop]), actor, reason)
    return user


def user_set_mfa_required(*, user: User, required: bool, actor=None) -> User:
    """Require the second factor of someone outside the three administrator roles (who need it
    anyway)."""
    _check_other(actor, user, "role.grant")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.mfa_required
        locked.mfa_required = required
        locked.save(update_fields=["mfa_required"])
        record("user.mfa_required", actor=actor, obj=locked, changes={"mfa_required": [before, required]})
    user.mfa_required = required
    return user


# --- passwords -----------------------------------------------------------------------------


def user_change_password(*, user: User, new_password: str, actor=None) -> User:
    """The person changes their own password (policy and history checked)."""
    password_validation.validate_password(new_password, user)
    _check_history(user, new_password)
    with transaction.atomic():
        _set_password(user, new_password, must_change=False)
        record("password.change", actor=actor or user, obj=user)
    return user


def user_reset_password(*, user: User, new_password: str, actor=None) -> User:
    """The system administrator sets a new password (forgotten one): the person must change it
    at the next login.  History applies, so a reset cannot restore an old password either."""
    _check_other(actor, user, "user.manage")
    password_validation.validate_password(new_password, user)
    _check_history(user, new_password)
    with transaction.atomic():
        _set_password(user, new_password, must_change=True)
        record("password.reset", actor=actor, obj=user)
    return user


# Second factor: lives with the TOTP code, re-exported here so the administrators' pages find
# every account service in one module.
from .mfa import mfa_reset  # noqa: E402, F401
