"""Roles a person can hold, stored as bits of `User.roles_mask`.

Bits keep 三员分立 enforceable by the database itself: the three administrator bits sit above
every business bit, so "an administrator role and nothing else" is one CHECK constraint.
"""

from django.db import models


class Role(models.TextChoices):
    LEADER = "leader", "市领导"
    HQ_STAFF = "hq_staff", "指挥部办公室"
    GROUP_LEAD = "group_lead", "工作组牵头领导"
    UNIT_HEAD = "unit_head", "单位一把手"
    LIAISON = "liaison", "联络员"
    INSPECTOR = "inspector", "督查员"
    DEPUTY = "deputy", "人大代表/政协委员"
    CITIZEN = "citizen", "市民/志愿者"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


BITS: dict[str, int] = {
    Role.LEADER: 1 << 0,
    Role.HQ_STAFF: 1 << 1,
    Role.GROUP_LEAD: 1 << 2,
    Role.UNIT_HEAD: 1 << 3,
    Role.LIAISON: 1 << 4,
    Role.INSPECTOR: 1 << 5,
    Role.DEPUTY: 1 << 6,
    Role.CITIZEN: 1 << 7,
    Role.SYSADMIN: 1 << 8,
    Role.SECADMIN: 1 << 9,
    Role.AUDITOR: 1 << 10,
}
ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
ADMIN_BITS = tuple(BITS[r] for r in ADMIN_ROLES)
BUSINESS_LIMIT = BITS[Role.SYSADMIN]  # every business bit is below this value
ALL_BITS = sum(BITS.values())


def to_mask(roles) -> int:
    mask = 0
    for role in roles:
        mask |= BITS[Role(role)]
    return mask


def from_mask(mask: int) -> list[Role]:
    return [Role(r) for r, bit in BITS.items() if mask & bit]


def is_valid_mask(mask: int) -> bool:
    """An administrator role excludes every other role (三员分立)."""
    return 0 <= mask < BUSINESS_LIMIT or mask in ADMIN_BITS
