"""HQ's master data of problems: the categories (部件/事件), the time-limit table (处置时限) and the
routing table (派遣规则: category × district → responsible unit).

Every write checks "problem.configure", runs in a transaction and leaves an audit entry.  A
category is never deleted (problems, the summary and Open311's service list refer to it): it is
retired with `is_active`.  A changed time limit applies to problems assigned from then on; the
deadlines already given stay (DOMAIN-NOTES §2.4: the deadline is fixed when the 交办单 is
issued).  A routing rule only suggests: HQ's dispatch desk still decides.

Two HQ staff may edit the same row: the callers pass `expected`, the `fingerprint` of the row as
the editor saw it ("" for "no row yet"), and a row changed since is refused with StaleVersion.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record
from chuangwen.org.models import Unit, UnitKind
from chuangwen.org.services import StaleVersion

from ..models import Category, CategoryKind, LimitUnit, RoutingRule, Severity, TimeLimit

__all__ = [
    "CATEGORY_FIELDS", "CONFIGURE", "DISTRICT_KINDS", "MAX_DAYS", "MAX_HOURS", "STALE", "category_create",
    "category_update", "check_limit", "check_route", "fingerprint", "routing_rule_delete", "routing_rule_set",
    "time_limit_set",
]

CONFIGURE = "problem.configure"
CATEGORY_FIELDS = ("name", "kind", "group", "sort_order", "is_active")
# The districts problems are filed under (as selectors_pages.DISTRICT_KINDS; not imported from
# there: services sit below the pages' selectors).
DISTRICT_KINDS = (UnitKind.COUNTY, UnitKind.DEV_ZONE)
# Units that dispatch or lead rather than rectify.
NOT_RESPONSIBLE_KINDS = (UnitKind.CITY, UnitKind.HQ, UnitKind.LEADERSHIP)
# deadline_for counts on a calendar of one year from the assignment: a limit must fit in it.
MAX_HOURS = 200
MAX_DAYS = 180
STALE = "该记录已被他人修改,请刷新后重试。"

_FINGERPRINTED = {
    Category: CATEGORY_FIELDS,
    TimeLimit: ("amount", "unit"),
    RoutingRule: ("unit_id",),
}


def fingerprint(obj) -> str:
    """A short digest of the editable fields of a category, time limit or routing rule as they
    stand ("" for None): what an edit form carries to detect a concurrent change."""
    if obj is None:
        return ""
    values = [getattr(obj, name) for name in _FINGERPRINTED[type(obj)]]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:16]


def _check_expected(obj, expected: str | None) -> None:
    if expected is not None and expected != fingerprint(obj):
        raise StaleVersion(STALE)


def _clean_text(value, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > max_length:
        raise ValidationError(f"{label}不能超过 {max_length} 个字。")
    return value


def _clean_category_fields(fields: dict) -> dict:
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError(f"不能在此修改:{'、'.join(sorted(unknown))}。")
    out = dict(fields)
    if "name" in out:
        out["name"] = _clean_text(out["name"], "类别名称", 60)
    if "group" in out:
        out["group"] = _clean_text(out["group"], "大类", 30)
    if "kind" in out and out["kind"] not in CategoryKind.values:
        raise ValidationError("类型须为部件或事件。")
    if "sort_order" in out:
        order = out["sort_order"] or 0
        if not isinstance(order, int) or order < 0:
            raise ValidationError("排序须为不小于 0 的整数。")
        out["sort_order"] = order
    if "is_active" in out:
        out["is_active"] = bool(out["is_active"])
    return out


# --- categories -------------------------------------------------------------------------------


def category_create(*, actor, code: str, name: str, kind: str, group: str, sort_order: int = 0) -> Category:
    """A new category, active, without time limits (set them next; until then a problem of the
    category gets no deadline) and without routing rules."""
    require_verb(actor, CONFIGURE)
    code = _clean_text(code, "编码", 20).upper()
    fields = _clean_category_fields({"name": name, "kind": kind, "group": group, "sort_order": sort_order})
    with transaction.atomic():
        if Category.objects.filter(code=code).exists():
            raise ValidationError(f"编码“{code}”已被使用。")
        category = Category(code=code, **fields)
        category.full_clean()
        category.save()
        record("problem.category_create", actor=actor, obj=category,
               changes={"code": [None, code], **{k: [None, v] for k, v in fields.items()}})
    return category


def category_update(*, category: Category, actor, expected: str | None = None, **fields) -> Category:
    """Rename, regroup, reorder, or retire/reinstate (`is_active`) a category.  Its code stays:
    Open311 clients and the assessment's exports know it by its code."""
    require_verb(actor, CONFIGURE)
    fields = _clean_category_fields(fields)
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        _check_expected(locked, expected)
        changes = {}
        for name, value in fields.items():
            if getattr(locked, name) != value:
                changes[name] = [getattr(locked, name), value]
                setattr(locked, name, value)
        if changes:
            locked.full_clean()
            locked.save(update_fields=list(changes))
            record("problem.category_update", actor=actor, obj=locked, changes=changes)
    return locked


# --- time limits --------------------------------------------------------------------------------


def check_limit(amount, unit: str) -> None:
    """Refuse a limit that is not a whole number of working hours or days in (0, maximum]."""
    if unit not in LimitUnit.values:
        raise ValidationError("时限单位须为工作小时或工作日。")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError("时限须为整数。")
    if amount <= 0:
        raise ValidationError("时限应大于 0。")
    most, label = (MAX_HOURS, "工作小时") if unit == LimitUnit.HOURS else (MAX_DAYS, "工作日")
    if amount > most:
        raise ValidationError(f"时限不能超过 {most} 个{label}。")


def time_limit_set(*, category: Category, severity: str, amount, unit: str, actor,
                   expected: str | None = None) -> TimeLimit:
    """处置时限 of `category` at `severity`: `amount` working hours or working days (created or
    changed).  Applies to problems assigned from now on."""
    require_verb(actor, CONFIGURE)
    if severity not in Severity.values:
        raise ValidationError("严重程度无效。")
    check_limit(amount, unit)
    with transaction.atomic():
        locked_category = Category.objects.select_for_update().get(pk=category.pk)
        limit = (TimeLimit.objects.select_for_update()
                 .filter(category=locked_category, severity=severity).first())
        _check_expected(limit, expected)
        before = (limit.amount, limit.unit) if limit else (None, None)
        if before == (amount, unit):
            return limit
        if limit is None:
            limit = TimeLimit(category=locked_category, severity=severity)
        limit.amount, limit.unit = amount, unit
        limit.full_clean()
        limit.save()
        created = {"category": [None, locked_category.code], "severity": [None, severity]}
        record("problem.time_limit_set", actor=actor, obj=limit, changes={
            **(created if before[0] is None else {}),
            "amount": [before[0], amount], "unit": [before[1], unit],
        })
    return limit


# --- routing rules ------------------------------------------------------------------------------


def _district_of(unit: Unit) -> Unit | None:
    """The county-level unit `unit` belongs to (itself, if it is one), or None for a city-level
    unit (a department, a stationed unit)."""
    if unit.kind in DISTRICT_KINDS:
        return unit
    return (Unit.objects.filter(path__in=unit.ancestor_paths(), kind__in=DISTRICT_KINDS)
            .order_by("-depth").first())


def check_route(district: Unit, unit: Unit) -> None:
    """Refuse a rule whose district is not a live county-level unit, or whose unit is gone, does
    not rectify, or belongs to another district."""
    if district.kind not in DISTRICT_KINDS:
        raise ValidationError(f"“{district}”不是县(市、区)或开发区,不能作为派遣规则的区县。")
    if not district.is_active:
        raise ValidationError(f"区县“{district}”已撤销。")
    if not unit.is_active:
        raise ValidationError(f"单位“{unit}”已撤销。")
    if unit.kind in NOT_RESPONSIBLE_KINDS:
        raise ValidationError(f"“{unit}”不承担整改,不能作为责任单位。")
    home = _district_of(unit)
    if home is not None and home.pk != district.pk:
        raise ValidationError(
            f"“{unit}”属于{home},不能承担{district}的问题;请选择{district}所属单位或市直单位。")


def routing_rule_set(*, category: Category, district: Unit, unit: Unit, actor,
                     expected: str | None = None) -> RoutingRule:
    """Problems of `category` found in `district` (and not at a site with its own responsible
    unit) are suggested to `unit`: a unit of that district or a city-level unit.  Creates the
    rule or changes its unit."""
    require_verb(actor, CONFIGURE)
    with transaction.atomic():
        Category.objects.select_for_update().get(pk=category.pk)  # serialises two first rules
        # As they stand now, not as the caller loaded them (a unit may have been abolished since).
        district, unit = Unit.objects.get(pk=district.pk), Unit.objects.get(pk=unit.pk)
        check_route(district, unit)
        rule = (RoutingRule.objects.select_for_update().select_related("unit")
                .filter(category=category, district=district).first())
        _check_expected(rule, expected)
        if rule is not None and rule.unit_id == unit.pk:
            return rule
        before = rule.unit if rule else None
        if rule is None:
            rule = RoutingRule(category=category, district=district)
        rule.unit = unit
        rule.full_clean()
        rule.save()
        record("problem.route_set", actor=actor, obj=rule, object_repr=f"{category.name} × {district.name}",
               changes={**({"category": [None, category.code], "district": [None, district.code]}
                           if before is None else {}),
                        "unit": [before.code if before else None, unit.code]})
    return rule


def routing_rule_delete(*, rule: RoutingRule, actor, expected: str | None = None) -> None:
    """Remove a rule: problems of its category in its district then wait on the dispatch desk
    without a suggestion (unless found at a site)."""
    require_verb(actor, CONFIGURE)
    with transaction.atomic():
        locked = (RoutingRule.objects.select_for_update().select_related("category", "district", "unit")
                  .filter(pk=rule.pk).first())
        if locked is None:
            raise ValidationError("该派遣规则已被删除。")
        _check_expected(locked, expected)
        record("problem.route_delete", actor=actor, obj=locked,
               object_repr=f"{locked.category.name} × {locked.district.name}",
               changes={"category": [locked.category.code, None], "district": [locked.district.code, None],
                        "unit": [locked.unit.code, None]})
        locked.delete()
