"""The demo city's problems: about 400 over the last 120 days, from every source (督查 by the
inspector, 随手拍 from citizens, some leaving a phone, 12345 hotline transfers, 模拟测评,
媒体曝光, 人大政协视察, 领导批示), about 40 % at the demo sites and the rest at addresses in the
districts, in every status.  Loaded by `load_demo` after the demo sites (chuangwen.places.demo).

    rules.py   the demo routing table (set through routing_rule_set)
    cases.py   who reports what where, and how each unit works (plain planning)
    story.py   what happened to each case when, cut at the present (plain planning)
    player.py  plays the story through the services, then shapes the time
    photos.py  the small generated photos the services require
    texts.py   descriptions, notes and addresses

Every change goes through the problem services, by the people who would make it: the HQ office's
综合协调科 (hq.coordination) sets the routing rules, records hotline and media reports and
dispatches; the inspector reports and rechecks (some rechecks fail, and the unit reworks); the
responsible unit's liaison (or head where it has none) accepts and reports the work done, its
head returns a misdispatched problem and asks for extensions and parking; the office's deputy
director (hq.deputy) decides extensions, its director (hq_director) parking.  Units differ:
the high-tech zone, 安平县 and the sanitation centre work fast and well, 清溪区, 青山县 and the
bus company slowly and with reworks (cases.PROFILES), so the rankings have something to show.
Recent cases are still open, some long overdue (red).  The draws are seeded: loaded at the same
moment on the same calendar, the story is the same.

Demo data shaping (the only writes that bypass the services, all in player.py):

* Time.  The services stamp "now" and count deadlines from it.  So every step is planned at a
  moment of the story (in office hours for staff, on the working-day calendar) and the whole
  story is played in that order; then each timestamp a step wrote (report, assignment,
  submission, closure, timeline, extension and photo times) is moved to the step's moment with
  a bulk update, the deadlines are worked out again from the moved assignment times with the
  time-limit table (`services.loop.deadline_for`, as the assignment did) plus any approved
  extension, and the notes quoting an extension's deadline quote the moved one.  No service
  reads those timestamps back, so this is done once, at the end.  The summary table is then
  rebuilt for the whole range (`summary_rebuild`), so it equals a recomputation.  The audit log
  is not touched: its entries carry the real time of loading, in story order.  A problem's
  number carries the year it was loaded in.
* Notifications.  The services notify after commit; once they have, the inbox rows of the demo
  are dated like the steps that caused them (older ones marked read) and quote the moved
  deadlines.
"""

from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.org.demo import data as city
from chuangwen.org.models import Unit
from chuangwen.places.demo import SITES
from chuangwen.places.models import Site
from chuangwen.workdays.selectors import work_calendar

from ..models import Category, Problem, Severity, TimeLimit
from ..services.summary import summary_rebuild
from ..summary import ProblemDaily
from . import texts
from .cases import CLERK, DAYS, DEPUTY, DIRECTOR, INSPECTOR, REPORTERS
from .player import Player, retime_notifications
from .rules import set_routes
from .story import Teller

__all__ = ["DemoProblemsRefused", "load_demo_problems"]


class DemoProblemsRefused(Exception):
    """The database is not the demo city (with its sites and the problem catalogue) the story
    is written for."""


def _check_ready() -> None:
    type_code, name, district = SITES[0][:3]
    if not Site.objects.filter(code=f"{district}-{type_code}-001", name=name).exists():
        raise DemoProblemsRefused("演示点位未加载。")
    codes = set(texts.DESCRIPTIONS)
    usable = set(Category.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
    limited = {code for code in usable
               if TimeLimit.objects.filter(category__code=code).count() == len(Severity.values)}
    missing = codes - limited
    if missing:
        raise DemoProblemsRefused(f"问题类别目录中缺少或停用了{'、'.join(sorted(missing))},或其处置时限不全。")
    people = {CLERK, DEPUTY, DIRECTOR, INSPECTOR} | {u for u in REPORTERS.values() if u}
    found = set(User.objects.filter(username__in=people, is_active=True).values_list("username", flat=True))
    if people - found:
        raise DemoProblemsRefused(f"找不到演示账号{'、'.join(sorted(people - found))}。")


def load_demo_problems(*, today: date | None = None) -> str:
    """Load the demo problems into the demo city, in one transaction (all or nothing).

    Returns "loaded", or "present" if any problem exists (nothing is done).  Raises
    DemoProblemsRefused if the demo city, its sites, a category the story uses (with its time
    limits) or a demo account is missing.  `today` is the day the story is told up to (default
    and at most: today); nothing is dated later than the present.
    """
    if not Unit.objects.filter(code=city.CITY_CODE).exists():
        raise DemoProblemsRefused("演示城市未加载。")
    if Problem.objects.exists():
        return "present"
    _check_ready()
    real_today = timezone.localdate()
    today = min(today or real_today, real_today)
    tz = timezone.get_current_timezone()
    cut = min(timezone.localtime() - timedelta(minutes=5), datetime.combine(today, time(23, 59), tz))
    with transaction.atomic():
        units = {u.code: u for u in Unit.objects.all()}
        clerk = User.objects.get(username=CLERK)
        set_routes(actor=clerk, units=units)
        cal = work_calendar(start=today - timedelta(days=DAYS + 30), end=real_today + timedelta(days=400))
        limits = {(code, severity): (amount, unit) for code, severity, amount, unit
                  in TimeLimit.objects.values_list("category__code", "severity", "amount", "unit")}
        sites = list(Site.objects.filter(is_active=True, responsible_unit__abolished_at=None)
                     .select_related("site_type", "district", "responsible_unit").order_by("code"))
        groups = dict(Category.objects.values_list("code", "group"))
        teller = Teller(today=today, cut=cut, cal=cal, limits=limits, sites=sites, groups=groups)
        steps = teller.tell()
        player = Player(units=units, cal=cal, real_today=real_today)
        marks = player.play(steps, teller.cases)
        notices = player.shape(marks)
        _rebuild_summary(today, actor=clerk)
        # Registered last: runs after the services' own after-commit notifications.
        transaction.on_commit(partial(retime_notifications, notices))
    return "loaded"


def _rebuild_summary(today: date, *, actor) -> None:
    """The summary rows the services wrote while playing sit on the real days; the rebuild
    covers them and every day of the shaped story (deadlines run into the future)."""
    rows = ProblemDaily.objects.aggregate(first=Min("day"), last=Max("day"))
    due = Problem.objects.aggregate(last=Max("deadline"))["last"]
    start = min(d for d in (rows["first"], today - timedelta(days=DAYS + 1)) if d is not None)
    end = max(d for d in (rows["last"], timezone.localdate(due) if due else None, today) if d is not None)
    summary_rebuild(start=start, end=end, actor=actor)
