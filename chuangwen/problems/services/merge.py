"""合并重复问题: a second report of the same thing is voided and merged into the first, which
carries on the work; the second reporter's tracking code then shows the first one's progress
(`duplicates.public_status`)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from chuangwen.audit.log import record
from chuangwen.notifications.services import notify

from ..models import Problem, ProblemEventKind, ProblemStatus
from ..permissions import require_party
from ..transitions import Party
from .common import event, transition

__all__ = ["problem_merge"]

# The void event is public (the reporter's tracking page shows it): it names no internal number.
PUBLIC_NOTE = "与已受理的问题重复,已合并办理,进度以合并后的问题为准"


def problem_merge(*, duplicate: Problem, into: Problem, actor, note: str = "",
                  expected_version: int | None = None) -> Problem:
    """Void `duplicate` as merged into `into` (HQ's dispatch desk), with an event on both, one
    audit entry for the merge (besides the void's own), and a notice to a staff reporter of the
    duplicate.  Returns the voided duplicate."""
    require_party(actor, duplicate, Party.DISPATCH, "合并重复问题")
    if duplicate.pk == into.pk:
        raise ValidationError("不能将问题并入其自身。")
    with transaction.atomic():
        # Both rows locked in id order: two merges crossing each other wait, never deadlock.
        locked = {p.pk: p for p in Problem.objects.select_for_update(of=("self",))
                  .filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")}
        target = locked[into.pk]
        if target.status == ProblemStatus.VOIDED or target.merged_into_id is not None:
            raise ValidationError(f"问题{target.number}已作废或已被合并,不能作为合并目标。")

        def apply(problem):
            problem.merged_into = target
            return ["merged_into"]

        merged = transition(duplicate, "void", actor, note=PUBLIC_NOTE, expected_version=expected_version,
                            apply=apply)
        extra = f":{note.strip()}" if note.strip() else ""
        event(merged, ProblemEventKind.MERGE, actor, note=f"并入{target.number}{extra}")
        event(target, ProblemEventKind.MERGE, actor, note=f"合并重复问题{merged.number}{extra}")
        record("problem.merge", actor=actor, obj=target,
               changes={"merged": [None, merged.number], **({"note": [None, note.strip()]} if extra else {})})
        if merged.reported_by_id:
            notify(merged.reported_by_id, kind="problem.merged",
                   title=f"您上报的问题{merged.number}已合并办理",
                   body=f"该问题与{target.number}重复,已并入{target.number}办理,进度以{target.number}为准。",
                   dedupe_key=f"problem.merged:{merged.pk}")
    return merged
