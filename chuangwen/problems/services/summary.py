"""Keeping the summary table current, in the transaction of each change.

Every service that changes a problem's status, responsible unit, district, category, deadline,
assignment or closure does, under the problem's row lock:

    before = summary_before(locked)     # what the problem counted for
    ... change and save the problem, write its events ...
    summary_after(locked, before)       # add the difference

(`common.transition` and `report.problem_report` do; an extension decision must too.)  The
difference touches one to three rows, each incremented with F() under the unique key, so
concurrent changes of problems sharing a row add up instead of overwriting each other.  Rows are
locked in key order, after the problem rows, so two such transactions cannot deadlock.
"""

from django.db import connection, transaction
from django.db.models import F

from chuangwen.audit.log import record
from chuangwen.workdays.selectors import work_calendar

from ..models import Problem, ProblemEvent, ProblemEventKind
from ..summary import ProblemDaily
from ..tally import Facts, Tally, close_minutes, difference, local_day, tally

__all__ = ["facts_of", "summary_after", "summary_apply", "summary_before", "summary_rebuild"]


def facts_of(problem: Problem) -> Facts:
    """The problem's Facts as it stands (two small reads only when it has reworks or is closed)."""
    rework_days: tuple = ()
    if problem.rework_count:
        ats = (ProblemEvent.objects.filter(problem_id=problem.pk, kind=ProblemEventKind.RECHECK_FAIL)
               .values_list("at", flat=True))
        rework_days = tuple(sorted(local_day(at) for at in ats))
    minutes = 0
    if problem.status == "closed" and problem.assigned_at and problem.closed_at:
        cal = work_calendar(start=local_day(problem.assigned_at), end=local_day(problem.closed_at))
        minutes = close_minutes(cal, problem.assigned_at, problem.closed_at)
    return Facts(
        category_id=problem.category_id, district_id=problem.district_id, unit_id=problem.responsible_unit_id,
        status=problem.status, reported_at=problem.reported_at, assigned_at=problem.assigned_at,
        deadline=problem.deadline, original_deadline=problem.original_deadline, closed_at=problem.closed_at,
        is_rebound=problem.rebound_of_id is not None, rework_days=rework_days, close_minutes=minutes,
    )


def summary_before(problem: Problem | None) -> Tally:
    """What `problem` (locked, as read from the database) counts for now; {} for a new one."""
    return {} if problem is None else tally(facts_of(problem))


def summary_after(problem: Problem, before: Tally) -> None:
    """Add what changed since `summary_before`; call in the same transaction, after saving."""
    summary_apply(difference(before, tally(facts_of(problem))))


def summary_apply(diff: Tally) -> None:
    if not diff:
        return
    keys = sorted(diff)
    # Create the missing rows (a no-op for the existing ones), then increment each in key order.
    ProblemDaily.objects.bulk_create(
        [ProblemDaily(day=d, unit_id=u, district_id=r, category_id=c) for d, u, r, c in keys],
        ignore_conflicts=True)
    for key in keys:
        day, unit, district, category = key
        ProblemDaily.objects.filter(day=day, unit_id=unit, district_id=district, category_id=category).update(
            **{name: F(name) + n for name, n in sorted(diff[key].items())})


def summary_rebuild(*, start, end, actor=None) -> dict[str, int]:
    """Replace the summary rows of [start, end] by a recomputation from the raw problems (repair
    after a bug, a restore of old data, or a change of the holiday calendar, which the working
    minutes to close depend on).  Returns how many rows were removed and written."""
    from ..metrics import recompute

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers increment rows under ROW EXCLUSIVE; this waits for those in flight and
            # holds new ones until the rebuild commits, so no increment falls between the
            # recomputation and the rewrite.  (SQLite's IMMEDIATE transactions already serialise.)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ProblemDaily._meta.db_table} IN EXCLUSIVE MODE")
        fresh = recompute(start, end)
        removed, _ = ProblemDaily.objects.filter(day__gte=start, day__lte=end).delete()
        ProblemDaily.objects.bulk_create(
            [ProblemDaily(day=d, unit_id=u, district_id=r, category_id=c, **counts)
             for (d, u, r, c), counts in sorted(fresh.items())], batch_size=500)
        result = {"removed": removed, "written": len(fresh)}
        record("problem.summary_rebuild", actor=actor, object_type="problems.problemdaily",
               object_id=f"{start.isoformat()}..{end.isoformat()}",
               object_repr=f"问题统计 {start.isoformat()} 至 {end.isoformat()}",
               changes={k: [None, v] for k, v in result.items()})
    return result
