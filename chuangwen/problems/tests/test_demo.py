"""The demo problems (chuangwen.problems.demo) on the demo city with its sites: every status and
source, the routing table through its service, a summary equal to recomputation, overdue (red)
cases, districts that differ, a coherent timeline, all or nothing, once only.

Like the other demo tests (tasks/tests/test_demo.py) these are transactional and start from a
flushed database: the demo city loads only into an empty one.  Loading takes a while, so one
test loads once and checks everything that only reads the result.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.audit import triggers
from chuangwen.audit.chain import verify
from chuangwen.audit.models import Entry
from chuangwen.notifications.models import Notification
from chuangwen.org.demo import load
from chuangwen.org.models import Unit
from chuangwen.places.demo import load_demo_sites
from chuangwen.problems import demo, services
from chuangwen.problems.catalogue import ensure_catalogue
from chuangwen.problems.colours import Colour, read
from chuangwen.problems.demo import rules
from chuangwen.problems.duplicates import REBOUND_WITHIN
from chuangwen.problems.metrics import recompute, summary_table, unit_metrics
from chuangwen.problems.models import (
    OPEN_STATUSES,
    Category,
    ExtensionStatus,
    Problem,
    ProblemEvent,
    ProblemExtension,
    ProblemStatus,
    RoutingRule,
    Source,
    TimeLimit,
)
from chuangwen.problems.routing import suggest_unit
from chuangwen.problems.services.loop import deadline_for
from chuangwen.problems.services.public import reporter_contact
from chuangwen.workdays.selectors import work_calendar

MODELS = (Problem, ProblemEvent, ProblemExtension, RoutingRule, Notification, Entry)


@pytest.fixture
def empty_db(transactional_db, settings, tmp_path):
    """A flushed database with the problem catalogue; the accounts file in a temporary var/; a
    fast hasher."""
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # SQLite flushes with DELETE, which the audit log's append-only triggers refuse.
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=False)
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=True)
    # The flush also took the categories and time limits every installation gets by migration.
    ensure_catalogue(Category, TimeLimit)
    return settings


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in MODELS)


def _assert_every_status_and_source(problems):
    assert 380 <= len(problems) <= 420
    assert set(Counter(p.status for p in problems)) == set(ProblemStatus.values)
    assert set(Counter(p.source for p in problems)) == set(Source.values)
    at_sites = sum(p.site_id is not None for p in problems)
    assert 0.3 <= at_sites / len(problems) <= 0.5
    assert sum(p.status == ProblemStatus.CLOSED for p in problems) > len(problems) / 2
    assert any(p.merged_into_id for p in problems)
    # Rebounds (反弹): the same place and category, reported again after the first was closed,
    # within the 90 days the rule looks back (duplicates.REBOUND_WITHIN) in story time too.
    rebounds = [p for p in problems if p.rebound_of_id]
    assert 3 <= len(rebounds) <= 20
    for p in rebounds:
        first = p.rebound_of
        assert first.category_id == p.category_id and first.closed_at < p.reported_at, p.number
        assert p.reported_at - first.closed_at <= REBOUND_WITHIN, p.number
    assert any(p.rework_count for p in problems if p.status == ProblemStatus.CLOSED)
    # Citizens report anonymously with a photo; some leave a phone, which staff see masked.
    citizens = [p for p in problems if p.source == Source.CITIZEN]
    assert all(p.reported_by_id is None and p.tracking_code for p in citizens)
    phones = [reporter_contact(p).phone for p in citizens if p.reporter_phone_enc]
    assert 3 <= len(phones) < len(citizens) and all("****" in phone for phone in phones)
    extensions = Counter(ProblemExtension.objects.values_list("status", flat=True))
    assert set(extensions) == set(ExtensionStatus.values)


def _assert_routing_through_the_service(problems):
    clerk = User.objects.get(username="hq.coordination")
    rules_set = Entry.objects.filter(event="problem.route_set", actor_id=clerk.pk).count()
    assert rules_set == RoutingRule.objects.count() == 22 * len(rules.DISTRICTS)
    units = {u.code: u for u in Unit.objects.filter(code__in=["Q01", "Q05", "D11-01", "D05-02"])}
    codes = ["SJ0101", "BJ0101", "SJ0402", "SJ0901"]
    categories = {c.code: c for c in Category.objects.filter(code__in=codes)}
    assert suggest_unit(category=categories["SJ0101"], district=units["Q01"]) == units["Q01"]
    assert suggest_unit(category=categories["BJ0101"], district=units["Q01"]) == units["D11-01"]
    assert suggest_unit(category=categories["BJ0101"], district=units["Q05"]) == units["Q05"]
    assert suggest_unit(category=categories["SJ0901"], district=units["Q05"]) is None
    # Reports at a site were suggested to the site's unit, the others by the table.
    for p in problems:
        if p.site_id is not None:
            assert p.suggested_unit_id == p.site.responsible_unit_id, p.number
        elif p.category.code != "SJ0901":
            assert p.suggested_unit.code == rules.route_of(p.category.code, p.district.code), p.number


def _assert_timeline(problems):
    now = timezone.now()
    first_day = timezone.localdate() - timedelta(days=demo.DAYS + 1)
    by_problem: dict[int, list] = {}
    for e in ProblemEvent.objects.order_by("id"):
        by_problem.setdefault(e.problem_id, []).append(e)
    for p in problems:
        stamps = [s for s in (p.reported_at, p.assigned_at, p.submitted_at, p.closed_at) if s is not None]
        assert stamps == sorted(stamps) and stamps[-1] < now, p.number
        assert timezone.localdate(p.reported_at) >= first_day, p.number
        events = by_problem[p.pk]
        assert events[0].kind == "report" and events[0].at == p.reported_at, p.number
        assert [e.at for e in events] == sorted(e.at for e in events), p.number
        assert events[-1].at < now
        if p.assigned_at is not None:
            # The deadline comes from the time-limit table at the (shaped) assignment time.
            assert p.original_deadline == deadline_for(p, p.assigned_at), p.number
            if p.status != ProblemStatus.RETURNED:
                assert p.deadline >= p.original_deadline
    for ext in ProblemExtension.objects.select_related("problem"):
        assert ext.requested_at < ext.old_deadline == ext.problem.original_deadline < ext.new_deadline
        assert ext.decided_at is None or ext.requested_at < ext.decided_at < now
        if ext.status == ExtensionStatus.APPROVED:
            assert ext.problem.deadline == ext.new_deadline
    assert not Notification.objects.filter(created_at__gt=now).exists()
    older = Notification.objects.filter(kind__startswith="problem", created_at__lt=now - timedelta(days=8))
    assert older.exists() and not older.filter(read_at=None).exists()


def _assert_backlog_and_colours(problems):
    now = timezone.now()
    cal = work_calendar()
    colours = Counter(read(cal, assigned_at=p.assigned_at, deadline=p.deadline, now=now).colour
                      for p in problems if p.status in OPEN_STATUSES)
    assert colours[Colour.RED] >= 2 and colours[Colour.NONE] >= 2
    desk = [p for p in problems if p.status == ProblemStatus.REPORTED]
    assert all(now - p.reported_at < timedelta(days=7) for p in desk)


def _assert_districts_differ(start, end):
    hq = User.objects.get(username="hq_director")
    rates = {r.label: r.on_time_rate for r in unit_metrics(hq, start=start, end=end, group_by="district")}
    assert len(rates) == 14 and all(rate is not None for rate in rates.values())
    better = min(rates["安平县"], rates["上川高新技术产业开发区"])
    worse = max(rates["清溪区"], rates["青山县"])
    assert better - worse >= 0.3, rates


def test_loads_problems_in_every_status_once(empty_db, monkeypatch):
    with pytest.raises(demo.DemoProblemsRefused, match="演示城市"):
        demo.load_demo_problems()
    load()
    with pytest.raises(demo.DemoProblemsRefused, match="演示点位"):
        demo.load_demo_problems()
    assert load_demo_sites() == "loaded"
    before = _counts()

    # All or nothing: a failure half-way through the story leaves no trace.
    def fail(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "problem_reply", fail)
    with pytest.raises(RuntimeError):
        demo.load_demo_problems()
    assert _counts() == before
    monkeypatch.undo()

    started = time.monotonic()
    assert demo.load_demo_problems() == "loaded"
    print(f"demo problems loaded in {time.monotonic() - started:.1f} s")

    problems = list(Problem.objects.select_related("category", "district", "site", "suggested_unit",
                                                   "rebound_of"))
    _assert_every_status_and_source(problems)
    _assert_routing_through_the_service(problems)
    _assert_timeline(problems)
    _assert_backlog_and_colours(problems)
    start = timezone.localdate() - timedelta(days=demo.DAYS + 1)
    end = timezone.localdate() + timedelta(days=90)
    assert summary_table(start, end) == recompute(start, end)
    _assert_districts_differ(start, timezone.localdate())
    # Every change was audited, by the people of the story.
    events = Counter(Entry.objects.filter(event__startswith="problem.").values_list("event", flat=True))
    assert events["problem.report"] == len(problems)
    assert events["problem.assign"] >= len([p for p in problems if p.assigned_at])
    for event in ("problem.recheck_pass", "problem.recheck_fail", "problem.extension_request",
                  "problem.approve_park", "problem.return", "problem.void", "problem.merge",
                  "problem.summary_rebuild"):
        assert events[event], event
    inspector = User.objects.get(username="inspector")
    assert Entry.objects.filter(event="problem.recheck_pass").exclude(actor_id=inspector.pk).count() == 0
    assert verify().ok

    counts = _counts()
    assert demo.load_demo_problems() == "present"
    assert _counts() == counts


def test_refuses_without_the_catalogue(empty_db):
    load()
    load_demo_sites()
    Category.objects.filter(code="SJ0403").update(is_active=False)
    with pytest.raises(demo.DemoProblemsRefused, match="SJ0403"):
        demo.load_demo_problems()
    TimeLimit.objects.filter(category__code="SJ0101", severity="urgent").delete()
    with pytest.raises(demo.DemoProblemsRefused, match="SJ0101"):
        demo.load_demo_problems()
    assert not Problem.objects.exists() and not RoutingRule.objects.exists()
