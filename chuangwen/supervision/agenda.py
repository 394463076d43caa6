"""The agenda helper (会议议题): what the next meeting should take up — the red items (三色督办,
tasks.selectors' colour filter), the instructions and decisions they belong to, earlier
decisions still open (回头看), and the problems that pile up (problems.metrics: the units with
the most overdue problems, the categories reported most in the last 30 days)."""

from datetime import timedelta

from django.utils import timezone

from chuangwen.problems import metrics
from chuangwen.tasks import selectors as task_selectors
from chuangwen.tasks.colours import Colour

from . import selectors
from .models import ItemStatus

LIMIT = 10
RECENT_DAYS = 30
BY_MEETING = ("meeting__date", "number")  # earlier meetings' decisions first


def _staged(qs, user, order: tuple, limit: int) -> list:
    return selectors.with_stage(selectors.with_progress(qs, user).order_by(*order)[:limit])


def agenda(user, *, limit: int = LIMIT) -> dict:
    th = task_selectors.current_thresholds()
    board = task_selectors.board(user, colour=Colour.RED, th=th, limit=limit)
    red_tasks = selectors.visible_tasks(user).filter(task_selectors.colour_filter(Colour.RED, th))
    red_instructions = selectors.instructions_visible_to(user).filter(
        status=ItemStatus.OPEN, pk__in=red_tasks.values("supervision_source__instruction"))
    red_decisions = selectors.decisions_visible_to(user).filter(
        status=ItemStatus.OPEN, pk__in=red_tasks.values("supervision_source__decision"))
    open_decisions = selectors.decisions_visible_to(user).filter(status=ItemStatus.OPEN)
    today = th.today
    backlog = [r for r in metrics.backlog_by_age(user, group_by="unit") if r.total]
    backlog.sort(key=lambda r: (-r.overdue, -r.total, r.label))
    recent = metrics.unit_metrics(user, start=today - timedelta(days=RECENT_DAYS - 1), end=today,
                                  group_by="category")
    recent = sorted((r for r in recent if r.reported), key=lambda r: (-r.reported, r.label))
    return {
        "red_tasks": board["tasks"], "red_count": board["counts"][Colour.RED],
        "red_instructions": _staged(red_instructions, user, ("date", "id"), limit),
        "red_decisions": _staged(red_decisions.select_related("meeting"), user, BY_MEETING, limit),
        "open_decisions": _staged(open_decisions.select_related("meeting"), user, BY_MEETING, limit),
        "backlog": backlog[:limit], "recent_categories": recent[:limit], "recent_days": RECENT_DAYS,
        "today": today, "generated_at": timezone.now(),
    }
