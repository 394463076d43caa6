"""Shared by the problem services: the lock with a version check, the timeline event, and the one
`transition` that changes a problem's status."""

from django.core.exceptions import ValidationError
from django.db import transaction

from chuangwen.audit.log import record
from chuangwen.org.services import StaleVersion

from ..models import Problem, ProblemEvent
from ..permissions import require_party
from ..transitions import TRANSITIONS
from .summary import summary_after, summary_before

__all__ = ["StaleVersion", "event", "lock", "transition"]


def actor_name(actor) -> str:
    return str(actor) if getattr(actor, "pk", None) else "市民"


def lock(problem: Problem, expected_version: int | None = None) -> Problem:
    locked = (Problem.objects.select_for_update(of=("self",))
              .select_related("category", "responsible_unit", "district").get(pk=problem.pk))
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion("该问题已被他人修改,请刷新后重试。")
    return locked


def save(problem: Problem, fields: list[str]) -> None:
    problem.version += 1
    problem.save(update_fields=[*fields, "version"])


def event(problem: Problem, kind: str, actor, *, note: str = "", from_status: str = "", to_status: str = "",
          public: bool = False) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem, kind=kind, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor), note=note, from_status=from_status, to_status=to_status, is_public=public)


def transition(problem: Problem, action: str, actor, *, note: str = "", expected_version: int | None = None,
               check=None, apply=None) -> Problem:
    """Move `problem` by `action`: the table, the party and the version are checked, then under
    the row lock `check(locked)` may refuse and `apply(locked) -> [fields]` may set more fields;
    the status, the event and the audit entry are written together."""
    t = TRANSITIONS[action]
    require_party(actor, problem, t.party, t.label)
    if t.needs_note and not note.strip():
        raise ValidationError(f"{t.label}须填写理由。")
    with transaction.atomic():
        locked = lock(problem, expected_version)
        if locked.status not in t.sources:
            raise ValidationError(f"问题当前为“{locked.get_status_display()}”,不能{t.label}。")
        if check is not None:
            check(locked)
        before = locked.status
        counted = summary_before(locked)
        locked.status = t.target
        fields = ["status", *(apply(locked) if apply else [])]
        save(locked, fields)
        event(locked, action, actor, note=note.strip(), from_status=before, to_status=locked.status, public=t.public)
        summary_after(locked, counted)
        record(f"problem.{action}", actor=actor, obj=locked,
               changes={"status": [before, locked.status], **({"note": [None, note.strip()]} if note.strip() else {})})
    return locked
