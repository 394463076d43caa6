"""Every change to the organisation: atomic, audited, and the only code that writes
`Unit.path`, `depth` and `full_name`."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_revoke_post_roles
from chuangwen.audit.log import record

from .models import (
    PATH_SEGMENT_WIDTH, Linkage, LinkageLevel, Post, Unit, UnitEvent, UnitEventKind, UnitKind,
    WorkGroup, WorkGroupMember,
)
from .selectors import forget_scope


class StaleVersion(ValidationError):
    """Someone else saved the record after it was loaded."""


def _segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT_WIDTH}d}/"


def _actor_name(actor) -> str:
    return str(actor) if actor is not None else "系统"


def _unit_event(unit, kind, actor, before=None, after=None, note=""):
    UnitEvent.objects.create(
        unit=unit, kind=kind, actor_name=_actor_name(actor), before=before or {}, after=after or {},
        note=note,
    )


def _lock_unit(unit: Unit, expected_version: int | None) -> Unit:
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion("该单位已被他人修改,请刷新后重试。")
    return locked


# --- units ----------------------------------------------------------------------------------


def unit_create(
    *, code: str, name: str, kind: str, parent: Unit | None = None, actor=None,
    short_name: str = "", sort_order: int = 0, address: str = "",
) -> Unit:
    if parent is not None and not parent.is_active:
        raise ValidationError("上级单位已撤销,不能在其下设立单位。")
    with transaction.atomic():
        unit = Unit(
            code=code.strip(), name=name.strip(), kind=kind, parent=parent, short_name=short_name,
            sort_order=sort_order, address=address,
            # Placeholder unique path until the id is known.
            path=f"/new-{code.strip()}/",
            depth=(parent.depth + 1) if parent else 0,
            full_name=f"{parent.full_name}/{name.strip()}" if parent else name.strip(),
        )
        unit.full_clean(exclude=["path", "full_name"])
        unit.save()
        unit.path = (parent.path if parent else "/") + _segment(unit.pk)
        unit.save(update_fields=["path"])
        _unit_event(unit, UnitEventKind.CREATE, actor, after={"code": unit.code, "name": unit.name,
                                                              "parent": parent.code if parent else None})
        record("unit.create", actor=actor, obj=unit, changes={
            "code": [None, unit.code], "name": [None, unit.name], "kind": [None, unit.kind],
            "parent": [None, parent.code if parent else None],
        })
    return unit


def _rewrite_subtree(*, old_path: str, new_path: str, old_full: str, new_full: str, depth_delta: int):
    """Rewrite path, depth and full name of a whole subtree in two UPDATE statements."""
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    # full_name: the subtree root's own value, then its descendants by prefix.
    Unit.objects.filter(path=new_path).update(full_name=Value(new_full))
    Unit.objects.filter(path__startswith=new_path).exclude(path=new_path).update(
        full_name=Concat(Value(new_full), Substr("full_name", len(old_full) + 1)),
    )


def unit_update(*, unit: Unit, actor=None, expected_version: int | None = None, **fields) -> Unit:
    """Edit plain fields (name, short name, kind, order, address); a new name renames."""
    allowed = {"name", "short_name", "kind", "sort_order", "address"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"不能在此修改:{', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _lock_unit(unit, expected_version)
        before = {k: getattr(locked, k) for k in fields}
        for k, v in fields.items():
            setattr(locked, k, v.strip() if isinstance(v, str) else v)
        changes = {k: [before[k], getattr(locked, k)] for k in fields if before[k] != getattr(locked, k)}
        if not changes:
            return locked
        locked.full_clean(exclude=["path", "full_name", "parent"])
        locked.version += 1
        renamed = "name" in changes
        old_full = locked.full_name
        if renamed:
            parent_full = ""
            if locked.parent_id:
                # From the parent's row: a name may itself contain "/", so the old one can't be split.
                parent_full = Unit.objects.values_list("full_name", flat=True).get(pk=locked.parent_id)
            new_full = f"{parent_full}/{locked.name}" if locked.parent_id else locked.name
            locked.full_name = new_full
        locked.save()
        if renamed:
            _rewrite_subtree(old_path=locked.path, new_path=locked.path, old_full=old_full,
                             new_full=locked.full_name, depth_delta=0)
        _unit_event(locked, UnitEventKind.RENAME if renamed else UnitEventKind.UPDATE, actor,
                    before={k: v[0] for k, v in changes.items()}, after={k: v[1] for k, v in changes.items()})
        record("unit.rename" if renamed else "unit.update", actor=actor, obj=locked, changes=changes)
    return locked


def unit_rename(*, unit: Unit, name: str, actor=None, expected_version: int | None = None) -> Unit:
    return unit_update(unit=unit, name=name, actor=actor, expected_version=expected_version)


def unit_move(*, unit: Unit, new_parent: Unit, actor=None, expected_version: int | None = None) -> Unit:
    """Put a unit (and its whole subtree) under a new parent; paths rewritten atomically."""
    with transaction.atomic():
        locked = _lock_unit(unit, expected_version)
        parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
        if parent.path.startswith(locked.path):
            raise ValidationError("不能把单位调整到它自己或其下级单位之下。")
        if not parent.is_active:
            raise ValidationError("目标上级单位已撤销。")
        if locked.parent_id == parent.pk:
            return locked
        old_parent = locked.parent
        old_path, old_full = locked.path, locked.full_name
        new_path = parent.path + _segment(locked.pk)
        new_full = f"{parent.full_name}/{locked.name}"
        _rewrite_subtree(old_path=old_path, new_path=new_path, old_full=old_full, new_full=new_full,
                         depth_delta=parent.depth + 1 - locked.depth)
        Unit.objects.filter(pk=locked.pk).update(parent=parent, version=F("version") + 1)
        locked.refresh_from_db()
        _end_links_broken_by_move(locked, actor)
        _unit_event(locked, UnitEventKind.MOVE, actor,
                    before={"parent": old_parent.code if old_parent else None, "full_name": old_full},
                    after={"parent": parent.code, "full_name": locked.full_name})
        record("unit.move", actor=actor, obj=locked, changes={
            "parent": [old_parent.code if old_parent else None, parent.code],
            "full_name": [old_full, locked.full_name],
        })
    return locked


def _end_links_broken_by_move(unit: Unit, actor) -> None:
    """A moved subtree may leave the district (level 3) or department (level 2) whose link
    reached it; such a link no longer obeys the linkage rules and would keep the old district
    or department leader seeing the unit."""
    today = timezone.localdate()
    links = Linkage.objects.current(today).filter(level__in=[2, 3], unit__in=Unit.objects.subtree_of(unit))
    for link in links.select_related("person", "from_unit", "unit"):
        if _linkage_problem(link.level, link.person, link.from_unit, link.unit, today):
            # Ended the day before the move (valid_to counts as a day of the link).
            linkage_end(linkage=link, on=today - timedelta(days=1), actor=actor)
            if link.person is not None:
                forget_scope(link.person)


def _end_current_ties(unit: Unit, on: date, actor) -> None:
    for post in Post.objects.filter(unit=unit, valid_to__isnull=True):
        post_end(post=post, on=on, actor=actor)
    for link in Linkage.objects.filter(valid_to__isnull=True).filter(unit=unit):
        linkage_end(linkage=link, on=on, actor=actor)
    for link in Linkage.objects.filter(valid_to__isnull=True, from_unit=unit):
        linkage_end(linkage=link, on=on, actor=actor)


def unit_abolish(*, unit: Unit, actor=None, reason: str = "", expected_version: int | None = None) -> Unit:
    with transaction.atomic():
        locked = _lock_unit(unit, expected_version)
        if not locked.is_active:
            raise ValidationError("该单位已撤销。")
        if Unit.objects.active().filter(parent=locked).exists():
            raise ValidationError("该单位还有未撤销的下级单位,请先调整或撤销下级单位。")
        today = timezone.localdate()
        _end_current_ties(locked, today, actor)
        WorkGroupMember.objects.filter(unit=locked).delete()
        locked.abolished_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["abolished_at", "version"])
        _unit_event(locked, UnitEventKind.ABOLISH, actor, note=reason)
        record("unit.abolish", actor=actor, obj=locked, changes={"abolished": [False, True], "reason": [None, reason]})
    return locked


def unit_merge(*, unit: Unit, into: Unit, actor=None, reason: str = "") -> Unit:
    """Merge `unit` into `into`: its subunits and working-group seats move over, its posts
    and linkages end, and it is abolished with a pointer to where it went."""
    if unit.pk == into.pk or into.path.startswith(unit.path):
        raise ValidationError("不能把单位并入它自己或其下级单位。")
    with transaction.atomic():
        source = _lock_unit(unit, None)
        target = _lock_unit(into, None)
        if not source.is_active or not target.is_active:
            raise ValidationError("已撤销的单位不能合并。")
        for child in Unit.objects.active().filter(parent=source):
            unit_move(unit=child, new_parent=target, actor=actor)
        for seat in WorkGroupMember.objects.filter(unit=source):
            if WorkGroupMember.objects.filter(group=seat.group, unit=target).exists():
                seat.delete()
            else:
                seat.unit = target
                seat.save(update_fields=["unit"])
        today = timezone.localdate()
        _end_current_ties(source, today, actor)
        source.refresh_from_db()
        source.abolished_at = timezone.now()
        source.merged_into = target
        source.version += 1
        source.save(update_fields=["abolished_at", "merged_into", "version"])
        _unit_event(source, UnitEventKind.MERGE, actor, after={"into": target.code}, note=reason)
        _unit_event(target, UnitEventKind.MERGE, actor, before={"merged": source.code}, note=reason)
        record("unit.merge", actor=actor, obj=source, changes={"merged_into": [None, target.code]})
    return source


# --- posts ----------------------------------------------------------------------------------


def post_appoint(
    *, person, unit: Unit, title: str, is_head: bool = False, is_liaison: bool = False,
    valid_from: date | None = None, actor=None,
) -> Post:
    """Give a person a post.  Appointing a new head ends the current head's post the day before."""
    valid_from = valid_from or timezone.localdate()
    if not unit.is_active:
        raise ValidationError("该单位已撤销,不能任职。")
    with transaction.atomic():
        if is_head:
            for old in Post.objects.select_for_update().filter(unit=unit, is_head=True, valid_to__isnull=True):
                if old.person_id == person.pk:
                    raise ValidationError("此人已是该单位在任一把手。")
                post_end(post=old, on=max(old.valid_from, valid_from - timedelta(days=1)), actor=actor)
        post = Post(person=person, unit=unit, title=title.strip(), is_head=is_head, is_liaison=is_liaison,
                    valid_from=valid_from)
        post.full_clean()
        post.save()
        record("post.appoint", actor=actor, obj=post, changes={
            "person": [None, person.username], "unit": [None, unit.code], "title": [None, post.title],
            "is_head": [None, is_head], "is_liaison": [None, is_liaison],
        })
    forget_scope(person)
    return post


def post_end(*, post: Post, on: date | None = None, actor=None) -> Post:
    on = on or timezone.localdate()
    if on < post.valid_from:
        raise ValidationError("任职止日期不能早于任职起日期。")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.valid_to is not None:
            raise ValidationError("该职务已经结束。")
        locked.valid_to = on
        locked.save(update_fields=["valid_to"])
        record("post.end", actor=actor, obj=locked, changes={"valid_to": [None, on.isoformat()]})
        # The unit head / liaison role came with the post: it goes when no other such post
        # (running on after `on`) remains.
        later = Post.objects.filter(person_id=locked.person_id).exclude(pk=locked.pk).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        drop = [role for role, flag, field in ((Role.UNIT_HEAD, locked.is_head, "is_head"),
                                               (Role.LIAISON, locked.is_liaison, "is_liaison"))
                if flag and not later.filter(**{field: True}).exists()]
        if drop:
            user_revoke_post_roles(user=locked.person, roles=drop, actor=actor, reason=f"职务结束:{locked.unit}")
    forget_scope(post.person)
    post.valid_to = on
    return locked


# --- linkages (三级挂钩) -----------------------------------------------------------------------

LEADER_UNIT_KINDS = {UnitKind.LEADERSHIP}
DEPARTMENT_KINDS = {UnitKind.CITY_DEPT, UnitKind.STATIONED}
DISTRICT_KINDS = {UnitKind.COUNTY, UnitKind.DEV_ZONE, UnitKind.STREET}


def _linkage_problem(level: int, person, from_unit: Unit | None, unit: Unit, on: date) -> str | None:
    """Why a link is not allowed, or None.  The rules of 三级挂钩 (ARCHITECTURE.md)."""
    if not unit.is_active:
        return "被挂钩单位已撤销。"
    if level == LinkageLevel.LEADER_DEPT:
        if person is None or from_unit is not None:
            return "一级挂钩须由市领导(人员)挂钩单位。"
        if not Post.objects.current(on).filter(person=person, unit__kind__in=LEADER_UNIT_KINDS).exists():
            return f"{person} 不是四套班子成员,不能作一级挂钩领导。"
        if unit.kind not in DEPARTMENT_KINDS | {UnitKind.COUNTY, UnitKind.DEV_ZONE}:
            return "一级挂钩的对象须是市级部门、中省驻市单位或县(市、区)。"
        return None
    if level == LinkageLevel.DEPT_UNIT:
        if person is None or from_unit is not None:
            return "二级挂钩须由部门领导(人员)挂钩单位。"
        depts = Unit.objects.filter(
            posts__in=Post.objects.current(on).filter(person=person), kind__in=DEPARTMENT_KINDS
        )
        if not depts.exists():
            return f"{person} 不是市级部门领导,不能作二级挂钩领导。"
        if not any(unit.path.startswith(d.path) and unit.pk != d.pk for d in depts):
            return "二级挂钩的对象须是该领导所在部门的所辖单位。"
        return None
    if level == LinkageLevel.DISTRICT_COMMUNITY:
        if from_unit is None or person is not None:
            return "三级挂钩须由城区(单位)挂钩社区。"
        if from_unit.kind not in DISTRICT_KINDS:
            return "三级挂钩的发起方须是县(市、区)、开发区或街道。"
        if unit.kind != UnitKind.COMMUNITY:
            return "三级挂钩的对象须是社区/村。"
        if not unit.path.startswith(from_unit.path):
            return "只能挂钩本辖区内的社区。"
        return None
    return "挂钩层级无效。"


def linkage_create(
    *, level: int, unit: Unit, person=None, from_unit: Unit | None = None, actor=None,
    valid_from: date | None = None, note: str = "",
) -> Linkage:
    valid_from = valid_from or timezone.localdate()
    problem = _linkage_problem(level, person, from_unit, unit, valid_from)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        link = Linkage(level=level, person=person, from_unit=from_unit, unit=unit, valid_from=valid_from, note=note)
        dup = Linkage.objects.filter(level=level, person=person, from_unit=from_unit, unit=unit, valid_to__isnull=True)
        if dup.exists():
            raise ValidationError("该挂钩关系已存在。")
        link.full_clean()
        link.save()
        record("linkage.create", actor=actor, obj=link, changes={
            "level": [None, level], "source": [None, link.source_label], "unit": [None, unit.code],
        })
    if person is not None:
        forget_scope(person)
    return link


def linkage_end(*, linkage: Linkage, on: date | None = None, actor=None) -> Linkage:
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Linkage.objects.select_for_update().get(pk=linkage.pk)
        if locked.valid_to is not None:
            raise ValidationError("该挂钩关系已经结束。")
        locked.valid_to = max(on, locked.valid_from)
        locked.save(update_fields=["valid_to"])
        record("linkage.end", actor=actor, obj=locked, changes={"valid_to": [None, locked.valid_to.isoformat()]})
    return locked


# --- working groups --------------------------------------------------------------------------


def workgroup_create(*, code: str, name: str, lead, duties: str = "", sort_order: int = 0, actor=None) -> WorkGroup:
    with transaction.atomic():
        group = WorkGroup(code=code, name=name, lead=lead, duties=duties, sort_order=sort_order)
        group.full_clean()
        group.save()
        record("group.create", actor=actor, obj=group, changes={"name": [None, name], "lead": [None, lead.username]})
    return group


def workgroup_update(*, group: WorkGroup, actor=None, **fields) -> WorkGroup:
    allowed = {"name", "lead", "duties", "sort_order"}
    if set(fields) - allowed:
        raise ValidationError("不能在此修改这些字段。")
    with transaction.atomic():
        locked = WorkGroup.objects.select_for_update().get(pk=group.pk)
        changes = {}
        for k, v in fields.items():
            before = getattr(locked, k)
            if before != v:
                changes[k] = [str(before), str(v)]
                setattr(locked, k, v)
        if changes:
            locked.full_clean()
            locked.save()
            record("group.update", actor=actor, obj=locked, changes=changes)
    return locked


def workgroup_add_member(*, group: WorkGroup, unit: Unit, is_lead_unit: bool = False, duties: str = "",
                         actor=None) -> WorkGroupMember:
    if not unit.is_active:
        raise ValidationError("已撤销的单位不能加入工作组。")
    with transaction.atomic():
        if WorkGroupMember.objects.filter(group=group, unit=unit).exists():
            raise ValidationError(f"{unit} 已是 {group} 的成员单位。")
        member = WorkGroupMember.objects.create(group=group, unit=unit, is_lead_unit=is_lead_unit, duties=duties)
        record("group.member.add", actor=actor, obj=group, changes={"unit": [None, unit.code]})
    return member


def workgroup_remove_member(*, member: WorkGroupMember, actor=None) -> None:
    with transaction.atomic():
        group, code = member.group, member.unit.code
        member.delete()
        record("group.member.remove", actor=actor, obj=group, changes={"unit": [code, None]})


def workgroup_set_staff(*, group: WorkGroup, people, actor=None) -> WorkGroup:
    with transaction.atomic():
        before = sorted(group.staff.values_list("username", flat=True))
        group.staff.set(people)
        after = sorted(group.staff.values_list("username", flat=True))
        if before != after:
            record("group.staff", actor=actor, obj=group, changes={"staff": [before, after]})
    for p in people:
        forget_scope(p)
    return group
