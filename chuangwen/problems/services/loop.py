"""The rectification loop: 交办 → 签收整改 → 整改完成 → 复查 → 销号, with 退回, 返工, 挂账 and 作废."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.attachments.models import Attachment
from chuangwen.attachments.photos import prepare_photos
from chuangwen.attachments.services import photos_store
from chuangwen.org.selectors import current_head, linked_leaders
from chuangwen.workdays.selectors import work_calendar

from ..deadlines import deadline_after
from ..models import Problem, ProblemEventKind, TimeLimit
from ..permissions import acts_for, require_party
from ..transitions import Party
from .common import transition
from .report import PHOTO_AFTER


def deadline_for(problem: Problem, start):
    """From the time-limit table (category × severity); none configured → no deadline."""
    limit = TimeLimit.objects.filter(category=problem.category, severity=problem.severity).first()
    if limit is None:
        return None
    local = timezone.localtime(start)
    cal = work_calendar(start=local.date(), end=local.date().replace(year=local.year + 1))
    return deadline_after(cal, local, limit.amount, limit.unit)


def problem_assign(*, problem: Problem, actor, unit=None, severity: str | None = None,
                   expected_version: int | None = None) -> Problem:
    """交办 to `unit` (default: the routing suggestion); the deadline comes from the time-limit
    table, counted from now; the head and the linked leader are kept as snapshots."""
    unit = unit or problem.suggested_unit
    if unit is None:
        raise ValidationError("请选择责任单位。")
    if not unit.is_active:
        raise ValidationError(f"单位“{unit}”已撤销。")

    def apply(locked):
        now = timezone.now()
        if severity:
            locked.severity = severity
        locked.responsible_unit = unit
        head = current_head(unit)
        locked.responsible_person = head.person if head else None
        locked.responsible_name = head.person.full_name if head else ""
        leaders = linked_leaders(unit)
        locked.linked_leader = leaders[0] if leaders else None
        locked.linked_leader_name = leaders[0].full_name if leaders else ""
        locked.assigned_at = now
        locked.deadline = locked.original_deadline = deadline_for(locked, now)
        return ["severity", "responsible_unit", "responsible_person", "responsible_name", "linked_leader",
                "linked_leader_name", "assigned_at", "deadline", "original_deadline"]

    return transition(problem, "assign", actor, expected_version=expected_version, apply=apply,
                      note=f"交办至{unit}")


def problem_accept(*, problem: Problem, actor, expected_version: int | None = None) -> Problem:
    return transition(problem, "accept", actor, expected_version=expected_version)


def problem_return(*, problem: Problem, actor, reason: str, expected_version: int | None = None) -> Problem:
    """退回: not this unit's problem; it goes back to the dispatch desk."""
    def apply(locked):
        locked.responsible_unit = None
        locked.responsible_person = None
        locked.responsible_name = ""
        locked.deadline = None
        return ["responsible_unit", "responsible_person", "responsible_name", "deadline"]

    return transition(problem, "return", actor, note=reason, expected_version=expected_version, apply=apply)


def _after_photos(problem: Problem) -> int:
    return Attachment.objects.filter(owner_kind=PHOTO_AFTER, owner_id=problem.pk).count()


def problem_submit(*, problem: Problem, actor, note: str = "", photos=(),
                   expected_version: int | None = None) -> Problem:
    """整改完成: the unit reports it fixed, with an after photo (now or earlier)."""
    # Permission first: a refused submit must not leave photos behind.
    require_party(actor, problem, Party.UNIT, "整改完成")
    prepared = prepare_photos(photos, keep_evidence=True) if photos else []
    with transaction.atomic():
        if prepared:
            # The after photo keeps its time and GPS as evidence against a false closure.
            photos_store(prepared, owner_kind=PHOTO_AFTER, owner_id=problem.pk, actor=actor, evidence=True)

        def check(locked):
            if not _after_photos(locked):
                raise ValidationError("请上传整改后照片。")

        def apply(locked):
            locked.submitted_at = timezone.now()
            return ["submitted_at"]

        return transition(problem, "submit", actor, note=note, expected_version=expected_version, check=check,
                          apply=apply)


def _fixers(problem: Problem) -> set[int]:
    return set(problem.events.filter(kind=ProblemEventKind.SUBMIT).values_list("actor_id", flat=True))


def problem_recheck(*, problem: Problem, actor, passed: bool, note: str = "",
                    expected_version: int | None = None) -> Problem:
    """复查 on site by someone other than the fixer: passed → 销号; failed → 返工 with a reason."""
    def check(locked):
        if actor.pk in _fixers(locked) or acts_for(actor, locked.responsible_unit):
            raise ValidationError("复查须由整改单位以外的人员进行。")
        if passed and not _after_photos(locked):
            raise ValidationError("没有整改后照片,不能销号。")

    if passed:
        def apply(locked):
            locked.closed_at = timezone.now()
            return ["closed_at"]

        return transition(problem, "recheck_pass", actor, note=note, expected_version=expected_version,
                          check=check, apply=apply)

    def apply_fail(locked):
        locked.rework_count += 1
        return ["rework_count"]

    return transition(problem, "recheck_fail", actor, note=note, expected_version=expected_version, check=check,
                      apply=apply_fail)


def problem_request_park(*, problem: Problem, actor, reason: str, expected_version: int | None = None) -> Problem:
    """挂账: cannot be solved within the limit; the unit explains in writing, HQ approves."""
    return transition(problem, "request_park", actor, note=reason, expected_version=expected_version)


def problem_decide_park(*, problem: Problem, actor, approve: bool, note: str = "",
                        expected_version: int | None = None) -> Problem:
    return transition(problem, "approve_park" if approve else "reject_park", actor, note=note,
                      expected_version=expected_version)


def problem_unpark(*, problem: Problem, actor, note: str = "", expected_version: int | None = None) -> Problem:
    return transition(problem, "unpark", actor, note=note, expected_version=expected_version)


def problem_void(*, problem: Problem, actor, reason: str, expected_version: int | None = None) -> Problem:
    """作废: a duplicate or an invalid report."""
    return transition(problem, "void", actor, note=reason, expected_version=expected_version)

