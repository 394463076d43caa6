"""The demo city's campaign plan: 《<city>创建全国文明城市<year>年工作方案》 with 42 tasks over the
six working groups, decomposed down the unit tree (district → street → community → shop,
department → subordinate unit) into 64 in all, in every state and colour, with handovers along
the chain.  Loaded by `load_demo` (dashboard) after the demo city (chuangwen.org.demo).

Every change goes through the task services, done by the people who would do it: HQ staff draft
and issue, the lead units' liaisons sign for and report, their heads decompose-issue-hand in,
the issuing units' heads accept or return.

Demo data shaping (the only writes that bypass the services, all in this module):

* Time.  The story runs over the last ~10 weeks, but the services stamp "now" and refuse to
  issue a task whose deadline is past.  So every action is scheduled on a working day before
  today and the whole story is played in that order; then the timestamps each action wrote
  (issue, sign, report, handover, extension, milestone and timeline times) are moved to the
  action's day with a bulk update.  Tasks are issued with a deadline no earlier than today, and
  their planned deadlines (past ones make the yellow and red items) are written at the end.
  The timeline stays consistent: each task's events are in order, before today, and every
  task was issued on or before its deadline.  The audit log is not touched: its entries carry
  the real time of loading, in the same order as the story.
* Notifications.  The services notify after commit; once they have, the inbox rows of the
  demo are dated like the events that caused them (older ones marked read) and the deadline
  quoted in "新任务" messages is the shaped one.
"""

from datetime import date
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chuangwen.org.demo import data as city
from chuangwen.org.models import Unit

from ..models import Plan, RewardPolicy
from .builder import _retime_notifications, doc_number, plan_title
from .stories import Builder
from .specs import SPECS

__all__ = ["DemoPlanRefused", "doc_number", "load_demo_plan", "plan_title"]


class DemoPlanRefused(Exception):
    """The database is not the demo city the plan is written for."""


def load_demo_plan(*, today: date | None = None) -> str:
    """Load the demo plan into the demo city, in one transaction (all or nothing).

    Returns "loaded", or "present" if the demo plan is there already (nothing is done).  Raises
    DemoPlanRefused if the demo city is missing, if other plans exist (the demo is never mixed
    into real work) or if the reward/penalty catalogue lacks a code the demo uses.  `today` is
    the day the story is told around (default: today).
    """
    if not Unit.objects.filter(code=city.CITY_CODE).exists():
        raise DemoPlanRefused("演示城市未加载。")
    if Plan.objects.exists():
        if Plan.objects.filter(title__startswith=f"{settings.CITY_NAME}创建全国文明城市",
                               doc_number__contains="创文指").exists():
            return "present"
        raise DemoPlanRefused("库中已有其他工作方案,演示方案不与之混放。")
    codes = {s.policy for s in SPECS}
    missing = codes - set(RewardPolicy.objects.filter(code__in=codes).values_list("code", flat=True))
    if missing:
        raise DemoPlanRefused(f"奖惩规则目录中缺少{'、'.join(sorted(missing))}。")
    with transaction.atomic():
        builder = Builder(today or timezone.localdate())
        builder.build()
        retime = builder.notification_times()
        # Registered last: runs after the services' notifications are written.
        transaction.on_commit(partial(_retime_notifications, retime))
    return "loaded"
