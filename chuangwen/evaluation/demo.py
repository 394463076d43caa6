"""The demo city's evaluation: the three most recent full months, each created and finalised (定榜)
by HQ's director through the services, oldest first, on whatever the demo's tasks and problems
give (units without any data that month are not ranked).  Loaded by `load_demo` (dashboard)
after the demo plan; the rewards demo then runs its rules on these months.

Idempotent: a month already there is reused, one already finalised is left alone; when all three
are finalised it does nothing and answers "present".
"""

from datetime import date, timedelta

from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.org.demo import data as city
from chuangwen.org.models import Unit

from .models import Period, PeriodKind, PeriodStatus
from .services import period_create, period_finalise

__all__ = ["DemoEvaluationRefused", "demo_months", "load_demo_evaluation"]

DIRECTOR = "hq_director"
MONTHS = 3


class DemoEvaluationRefused(Exception):
    """The database is not the demo city, or it has no HQ staff to act."""


def demo_months(today: date, n: int = MONTHS) -> list[date]:
    """First days of the `n` full months before `today`'s month, oldest first."""
    starts, first = [], today.replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


def _director():
    person = User.objects.filter(username=DIRECTOR, is_active=True).first()
    return person or User.objects.with_role(Role.HQ_STAFF).filter(is_active=True).order_by("id").first()


def load_demo_evaluation(*, today: date | None = None, city_code: str = city.CITY_CODE) -> str:
    """"loaded" or "present".  `city_code` names the city the demo belongs to (tests use their
    own world)."""
    if not Unit.objects.filter(code=city_code).exists():
        raise DemoEvaluationRefused("演示城市未加载。")
    today = today or timezone.localdate()
    starts = demo_months(today)
    done = Period.objects.filter(kind=PeriodKind.MONTH, start__in=starts, status=PeriodStatus.FINALISED)
    if done.count() == len(starts):
        return "present"
    director = _director()
    if director is None:
        raise DemoEvaluationRefused("没有指挥部办公室工作人员账号。")
    for start in starts:
        period = Period.objects.filter(kind=PeriodKind.MONTH, start=start).first()
        if period is None:
            period = period_create(kind=PeriodKind.MONTH, start=start, actor=director, today=today)
        if period.status != PeriodStatus.FINALISED:
            period_finalise(period=period, actor=director, today=today)
    return "loaded"
