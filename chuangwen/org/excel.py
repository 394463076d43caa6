"""Excel round trip of the organisation: units, people and posts in one workbook.

Import is all or nothing: every row of every sheet is checked first and errors are reported by
sheet, row and column in Chinese; only a file without errors is applied, in one transaction,
through the services (so every change is audited).  Re-importing updates by code/username
instead of creating duplicates, and rows equal to the database change nothing — so the verb of
a sheet (SHEET_VERBS) is needed only when that sheet would change something: HQ staff can
download the whole workbook, fix a unit name and upload it again.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chuangwen.accounts import services as account_services
from chuangwen.accounts.permissions import has_verb

from . import services
from .excel_plan import (  # noqa: F401 - the import's names, re-exported for callers of org.excel
    PERSON_COLUMNS, PERSON_SHEET, POST_COLUMNS, POST_SHEET, SHEET_VERBS, SHEETS, UNIT_COLUMNS, UNIT_FIELDS,
    UNIT_SHEET, ImportPlan, RowError, people_scope, plan_import,
)
from .models import Post, Unit, UnitKind
from .permissions import require
from .selectors import units_visible_to


@dataclass
class ImportResult:
    created: dict = field(default_factory=lambda: {s: 0 for s, _ in SHEETS})
    updated: dict = field(default_factory=lambda: {s: 0 for s, _ in SHEETS})

    @property
    def summary(self) -> str:
        parts = [f"{s}:新增 {self.created[s]} 条,更新 {self.updated[s]} 条" for s, _ in SHEETS]
        return "导入完成。" + ";".join(parts) + "。"


class ImportRejected(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


def can_import(user) -> bool:
    return any(has_verb(user, verb) for verb in SHEET_VERBS.values())


def can_export(user) -> bool:
    return has_verb(user, "org.export") or can_import(user)


def import_workbook(*, data: bytes, actor) -> ImportResult:
    """Check the whole file, then apply it in one transaction; raise ImportRejected with every
    row error if anything is wrong (nothing is changed then), PermissionDenied if a sheet would
    change and the actor lacks its verb (checked before the transaction, so the denial is kept
    in the audit log)."""
    plan = plan_import(data, actor)
    for sheet, verb in SHEET_VERBS.items():
        if plan.changes(sheet) or any(e.sheet == sheet for e in plan.errors):
            require(actor, verb)
    if plan.errors:
        raise ImportRejected(plan.errors)
    result = ImportResult()
    where = RowError("文件", 0, "", "")
    try:
        with transaction.atomic():
            _apply_units(plan.units, actor, result, where)
            _apply_people(plan.people, actor, result, where)
            _apply_posts(plan.posts, actor, result, where)
    except (ValidationError, IntegrityError) as exc:
        # A rule only the service (or the database) knows, e.g. a move under the unit's own subunit.
        messages = exc.messages if isinstance(exc, ValidationError) else ["与现有数据冲突(重复或违反约束)。"]
        raise ImportRejected([RowError(where.sheet, where.row, where.column, m) for m in messages]) from exc
    return result


def _at(where: RowError, sheet: str, row: dict, column: str = "") -> None:
    where.sheet, where.row, where.column = sheet, row["row"], column


def _apply_units(rows, actor, result, where):
    for row in rows:
        if row["action"] == "none":
            continue
        _at(where, UNIT_SHEET, row, "单位编码")
        parent = Unit.objects.get(code=row["parent_code"]) if row["parent_code"] else None
        if row["action"] == "create":
            services.unit_create(
                code=row["code"], name=row["name"], kind=row["kind"], parent=parent, actor=actor,
                short_name=row["short_name"], sort_order=row["sort_order"], address=row["address"],
            )
            result.created[UNIT_SHEET] += 1
            continue
        unit = Unit.objects.get(code=row["code"])
        fields = {k: row[k] for k in UNIT_FIELDS if getattr(unit, k) != row[k]}
        if fields:
            unit = services.unit_update(unit=unit, actor=actor, **fields)
        if parent is not None and unit.parent_id != parent.pk:
            _at(where, UNIT_SHEET, row, "上级单位")
            services.unit_move(unit=unit, new_parent=parent, actor=actor)
        result.updated[UNIT_SHEET] += 1


def _apply_people(rows, actor, result, where):
    User = get_user_model()
    for row in rows:
        _at(where, PERSON_SHEET, row, "用户名")
        if row["action"] == "create":
            account_services.user_create(username=row["username"], full_name=row["full_name"], actor=actor)
            result.created[PERSON_SHEET] += 1
        elif row["action"] == "update":
            person = User.objects.get(username=row["username"])
            account_services.user_update_name(user=person, full_name=row["full_name"], actor=actor)
            result.updated[PERSON_SHEET] += 1


def _apply_posts(rows, actor, result, where):
    User = get_user_model()
    for row in rows:
        if row["action"] == "none":
            continue
        _at(where, POST_SHEET, row, "职务")
        person = User.objects.get(username=row["username"])
        unit = Unit.objects.get(code=row["unit_code"])
        if row["action"] == "create":
            post = services.post_appoint(
                person=person, unit=unit, title=row["title"], is_head=row["is_head"],
                is_liaison=row["is_liaison"], valid_from=row["valid_from"], actor=actor,
            )
            result.created[POST_SHEET] += 1
        else:
            post = Post.objects.get(person=person, unit=unit, title=row["title"],
                                    valid_from=row["valid_from"])
            result.updated[POST_SHEET] += 1
        if row["valid_to"]:
            _at(where, POST_SHEET, row, "任职止")
            services.post_end(post=post, on=row["valid_to"], actor=actor)


def export_rows(user):
    """The same three sheets the import reads, limited to what `user` sees."""
    units = units_visible_to(user)
    visible_ids = set(units.values_list("id", flat=True))
    kinds = dict(UnitKind.choices)
    unit_rows = [
        (u.code, u.name, kinds.get(u.kind, u.kind), u.parent.code if u.parent_id in visible_ids else "",
         u.short_name, u.sort_order, u.address)
        for u in units.select_related("parent").order_by("path").iterator(chunk_size=2000)
    ]
    person_rows = list(people_scope(user).order_by("username").values_list("username", "full_name"))
    posts = Post.objects.filter(unit__in=units).select_related("person", "unit").order_by("unit__path", "id")
    post_rows = [
        (p.person.username, p.unit.code, p.title, "是" if p.is_head else "否", "是" if p.is_liaison else "否",
         p.valid_from.isoformat(), p.valid_to.isoformat() if p.valid_to else "")
        for p in posts.iterator(chunk_size=2000)
    ]
    return [(UNIT_SHEET, UNIT_COLUMNS, unit_rows), (PERSON_SHEET, PERSON_COLUMNS, person_rows),
            (POST_SHEET, POST_COLUMNS, post_rows)]


def export_workbook(*, user) -> list:
    """export_rows, with the audit entry a download of people's names calls for (pi.export)."""
    from chuangwen.audit.log import record

    sheets = export_rows(user)
    record("pi.export", actor=user, object_type="org.workbook", object_repr="组织机构(单位、人员、任职)",
           changes={"rows": [None, {title: len(rows) for title, _, rows in sheets}]})
    return sheets
