"""The summary table the services keep equals a recomputation from the raw problems, after random
sequences of transitions over several problems, units, categories and days; the rebuild command
repairs drift."""

from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from chuangwen.audit.models import Entry
from chuangwen.problems.metrics import recompute, summary_table, unit_metrics
from chuangwen.problems.summary import COUNTERS, ProblemDaily

from .drive import Walker

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
# Monday 2026-09-14, 09:00.
START = datetime(2026, 9, 14, 9, 0, tzinfo=TZ)
FIRST, LAST = date(2026, 9, 1), date(2026, 12, 31)


@pytest.fixture
def catalogue(db):
    from chuangwen.problems.catalogue import ensure_catalogue
    from chuangwen.problems.models import Category, TimeLimit

    ensure_catalogue(Category, TimeLimit)


def walk(world, seed: int, steps: int) -> Walker:
    walker = Walker(world, seed)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(steps):
            walker.moves.append(walker.step())
            # Minutes to a day and a half: moves land inside and outside working hours, across
            # nights and the weekends.
            clock.shift(timedelta(minutes=walker.rng.choice([0, 5, 30, 60, 120, 240, 900, 2000])))
    return walker


@pytest.mark.parametrize("seed", range(5))
def test_summary_equals_recomputation_after_random_transitions(world, catalogue, seed):
    walker = walk(world, seed, steps=80)
    stored, fresh = summary_table(FIRST, LAST), recompute(FIRST, LAST)
    assert stored == fresh, f"moves: {walker.moves}"
    total = sum(fresh.values(), Counter())
    assert total["reported"] == walker.moves.count("report")
    # The selectors read the same numbers: HQ's total equals the recomputation's sum.
    (metrics,) = unit_metrics(world.hq, start=FIRST, end=LAST, group_by=None)
    assert {name: getattr(metrics, name) for name in COUNTERS} == {name: total[name] for name in COUNTERS}


def test_the_walks_exercise_every_counter(world, catalogue):
    seen = Counter()
    for seed in range(5, 9):
        walk(world, seed, steps=80)
    for counts in summary_table(FIRST, LAST).values():
        seen.update({k: 1 for k in counts})
    assert set(seen) >= set(COUNTERS), seen


def test_rebuild_repairs_drift_and_check_reports_it(world, catalogue):
    walk(world, 11, steps=40)
    good = summary_table(FIRST, LAST)
    row = ProblemDaily.objects.filter(reported__gt=0).first()
    ProblemDaily.objects.filter(pk=row.pk).update(reported=99)
    ProblemDaily.objects.create(day=date(2026, 9, 20), unit_id=0, district_id=0, category_id=1, closed=3)
    with pytest.raises(CommandError, match="不一致"):
        call_command("problems_rebuild_summary", "--start", "2026-09-01", "--end", "2026-12-31", "--check",
                     stdout=StringIO())
    out = StringIO()
    call_command("problems_rebuild_summary", "--start", "2026-09-01", "--end", "2026-12-31", stdout=out)
    assert "已重算" in out.getvalue()
    assert summary_table(FIRST, LAST) == good == recompute(FIRST, LAST)
    assert Entry.objects.filter(event="problem.summary_rebuild").count() == 1
    out = StringIO()
    call_command("problems_rebuild_summary", "--start", "2026-09-01", "--end", "2026-12-31", "--check",
                 stdout=out)
    assert "一致" in out.getvalue()
