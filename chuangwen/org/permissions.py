"""Who may do what: one table of role × verb, used by services to enforce and templates to
show buttons.  Seeing is the scope rule in selectors.py; this table is about acting.

Later apps add their verbs here, so the whole matrix stays in one place.
"""

from django.core.exceptions import PermissionDenied

from chuangwen.accounts.roles import Role
from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome

BUSINESS_VIEWERS = {
    Role.LEADER, Role.HQ_STAFF, Role.GROUP_LEAD, Role.UNIT_HEAD, Role.LIAISON, Role.INSPECTOR,
    Role.DEPUTY,
}

VERBS: dict[str, set[str]] = {
    # Organisation pages and exports (what is shown is still limited by the scope rule).
    "org.view": BUSINESS_VIEWERS | {Role.SECADMIN},
    "org.export": {Role.LEADER, Role.HQ_STAFF, Role.GROUP_LEAD, Role.UNIT_HEAD, Role.LIAISON},
    # Master data of the organisation.
    "unit.manage": {Role.HQ_STAFF},
    "linkage.manage": {Role.HQ_STAFF},
    "group.manage": {Role.HQ_STAFF},
    # 三员分立: accounts by the system administrator, roles and posts by the security
    # administrator, the audit log by the auditor.
    "user.manage": {Role.SYSADMIN},
    "role.grant": {Role.SECADMIN},
    "post.manage": {Role.SECADMIN},
    "audit.read": {Role.AUDITOR},
}

VERB_LABELS = {
    "org.view": "查看组织机构",
    "org.export": "导出组织机构",
    "unit.manage": "维护单位",
    "linkage.manage": "维护挂钩关系",
    "group.manage": "维护工作组",
    "user.manage": "管理账号",
    "role.grant": "授予角色",
    "post.manage": "任免职务",
    "audit.read": "查阅审计日志",
}


def can(user, verb: str, unit=None) -> bool:
    """True if `user` holds a role allowed `verb`, and `unit` (if given) is in their scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    allowed = VERBS.get(verb)
    if allowed is None:
        raise KeyError(f"unknown verb {verb!r}")
    if not user.has_role(*allowed):
        return False
    if unit is not None:
        from .selectors import units_visible_to

        return units_visible_to(user).filter(pk=unit.pk).exists()
    return True


def require(user, verb: str, unit=None) -> None:
    """Raise PermissionDenied (with a Chinese reason) and audit the denial unless `can`.

    Call it before opening the service's transaction, so the denial entry is not rolled back.
    """
    if can(user, verb, unit):
        return
    record(
        "permission.denied", actor=user if getattr(user, "pk", None) else None,
        outcome=Outcome.DENIED, obj=unit,
        changes={"verb": [None, verb]},
    )
    raise PermissionDenied(f"没有“{VERB_LABELS.get(verb, verb)}”的权限。")
