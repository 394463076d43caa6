"""What one problem counts for in the summary table (plain Python, tested without a database).

The summary (`summary.ProblemDaily`) is the sum of `tally(problem)` over all problems.  The
services add the difference between a problem's tally after and before each change
(`services/summary.py`); `metrics.recompute` sums the tallies of the raw rows.  Because both call
this one function, "summary == recompute" holds by construction as long as every change goes
through a hook — which is what the tests check after random sequences of transitions.

A problem counts for its *current* responsible unit, district and category (a problem returned
by one unit and assigned to another is the second unit's; the first unit's 退回 was a
misdispatch, not its workload).  Every count lands on a local (Asia/Shanghai) day:

    reported        on the day reported (every problem, voided ones included)
    rebounds        on the day reported, when it is a rebound (反弹) of a closed problem
    assigned        on the day of its current assignment (not once returned, not when voided)
    closed          on the day closed (销号), with `close_minutes`: the working minutes from
                    assignment to closure (08:30-17:30 on working days), for the average
    reworked        on the day of each failed recheck (返工)

and, for the problems that fall due (a deadline, a responsible unit, not voided), on the day of
the deadline in force (an approved extension moves it: DOMAIN-NOTES §4.3, extensions are asked
before the deadline and then assessed against the new one):

    due             应结案数: problems whose deadline falls on the day
    due_deferred    of those, parked now (挂账, approved): taken out of the assessment (§2.5)
    due_closed      of those, closed (a parked problem is never closed, so this is within
                    due − due_deferred)
    due_on_time     of those, closed no later than the deadline (按期)
    due_extended    of those, whose deadline was extended (deadline ≠ the original one)

The formulas built on them are in `metrics.Metrics`.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

# (day, unit id, district id, category id); 0 = none.
Key = tuple[date, int, int, int]
Tally = dict[Key, Counter]

VOIDED = "voided"
CLOSED = "closed"
PARKED = "parked"


@dataclass(frozen=True)
class Facts:
    """The fields of a problem that its tally depends on."""

    category_id: int
    district_id: int | None
    unit_id: int | None
    status: str
    reported_at: datetime
    assigned_at: datetime | None
    deadline: datetime | None
    original_deadline: datetime | None
    closed_at: datetime | None
    is_rebound: bool
    rework_days: tuple[date, ...] = ()
    close_minutes: int = 0

    FIELDS = ("category_id", "district_id", "responsible_unit_id", "status", "reported_at", "assigned_at",
              "deadline", "original_deadline", "closed_at", "rebound_of_id", "rework_count")


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def tally(f: Facts) -> Tally:
    unit, district = f.unit_id or 0, f.district_id or 0
    out: Tally = {}

    def add(moment: datetime, **counts):
        key = (local_day(moment), unit, district, f.category_id)
        out.setdefault(key, Counter()).update(counts)

    add(f.reported_at, reported=1, rebounds=int(f.is_rebound))
    voided = f.status == VOIDED
    if f.assigned_at is not None and unit and not voided:
        add(f.assigned_at, assigned=1)
    if f.status == CLOSED and f.closed_at is not None:
        add(f.closed_at, closed=1, close_minutes=f.close_minutes)
    for day in f.rework_days:
        out.setdefault((day, unit, district, f.category_id), Counter()).update(reworked=1)
    if f.deadline is not None and unit and not voided:
        closed = f.status == CLOSED and f.closed_at is not None
        add(f.deadline, due=1, due_deferred=int(f.status == PARKED), due_closed=int(closed),
            due_on_time=int(closed and f.closed_at <= f.deadline),
            due_extended=int(f.original_deadline is not None and f.deadline != f.original_deadline))
    # Counter.update keeps zero entries: drop them so that a tally lists only what it counts.
    return {key: Counter({k: v for k, v in c.items() if v}) for key, c in out.items()}


def add_into(total: Tally, part: Tally, sign: int = 1) -> Tally:
    for key, counts in part.items():
        row = total.setdefault(key, Counter())
        for name, n in counts.items():
            row[name] += sign * n
    return total


def difference(before: Tally, after: Tally) -> Tally:
    """after − before, without the keys and counters that do not change."""
    diff = add_into(add_into({}, after), before, -1)
    out = {}
    for key, counts in diff.items():
        changed = Counter({k: v for k, v in counts.items() if v})
        if changed:
            out[key] = changed
    return out


def close_minutes(cal, assigned_at: datetime | None, closed_at: datetime | None) -> int:
    """Working minutes from assignment to closure, rounded to the minute (integers add up the
    same in any order, so the summary and a recomputation agree to the minute)."""
    from .deadlines import working_hours_between

    if assigned_at is None or closed_at is None:
        return 0
    hours = working_hours_between(cal, timezone.localtime(assigned_at), timezone.localtime(closed_at))
    return round(hours * 60)
