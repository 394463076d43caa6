"""Every change to an account: one function per verb, atomic, audited."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record

from .models import User
from .roles import Role, from_mask, is_valid_mask, to_mask


def user_create(
    *, username: str, full_name: str, password: str | None = None, roles=(), actor=None,
    must_change_password: bool = True,
) -> User:
    user = User(username=username, full_name=full_name, roles_mask=to_mask(roles))
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
        record(
            "user.create", actor=actor, obj=user,
            changes={"username": [None, username], "full_name": [None, full_name],
                     "roles": [[], [str(r) for r in user.roles]]},
        )
    return user


def user_set_roles(*, user: User, roles, actor=None) -> User:
    new_mask = to_mask(roles)
    if not is_valid_mask(new_mask):
        raise ValidationError("系统管理员、安全管理员、审计管理员三种角色互斥,且不能兼任业务角色。")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = [str(r) for r in from_mask(locked.roles_mask)]
        locked.roles_mask = new_mask
        locked.full_clean()
        locked.save(update_fields=["roles_mask"])
        record(
            "user.roles", actor=actor, obj=locked,
            changes={"roles": [before, [str(r) for r in locked.roles]]},
        )
    user.roles_mask = new_mask
    return user


def user_grant_role(*, user: User, role: str, actor=None) -> User:
    return user_set_roles(user=user, roles={*user.roles, Role(role)}, actor=actor)


def user_change_password(*, user: User, new_password: str, actor=None) -> User:
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record("password.change", actor=actor or user, obj=user)
    return user


def user_set_active(*, user: User, active: bool, actor=None, reason: str = "") -> User:
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(
            "user.enable" if active else "user.disable", actor=actor, obj=user,
            changes={"is_active": [before, active], "reason": [None, reason] if reason else None},
        )
    return user
