"""Rebounds (反弹) at report, duplicate candidates for the dispatch desk, and merging."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.notifications.models import Notification
from chuangwen.places.geo import haversine_m
from chuangwen.problems import services
from chuangwen.problems.duplicates import duplicate_candidates, public_status
from chuangwen.problems.metrics import recompute, summary_table
from chuangwen.problems.models import Category, ProblemEvent, ProblemStatus, Source
from chuangwen.problems.services.merge import problem_merge

from .conftest import TZ, png

pytestmark = pytest.mark.django_db

LNG, LAT = Decimal("120.1550000"), Decimal("30.2740000")
# 0.0003° of latitude is about 33 m north; 0.0006° about 67 m south.
NEAR_LAT, FAR_LAT = LAT + Decimal("0.0003"), LAT - Decimal("0.0006")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def report(world, category, *, lat=LAT, lng=LNG, address="", district=None, actor=None,
           source=Source.INSPECTION):
    return services.problem_report(source=source, category=category, description="暴露垃圾",
                                   actor=world.inspector if actor is None else actor,
                                   district=district or world.district, address=address, lng=lng, lat=lat)


def close(world, p):
    p = services.problem_assign(problem=p, actor=world.hq, unit=world.community)
    p = services.problem_accept(problem=p, actor=world.c1_head)
    p = services.problem_submit(problem=p, actor=world.c1_head, photos=[png()])
    return services.problem_recheck(problem=p, actor=world.inspector, passed=True)


def test_the_distances_used_in_these_tests():
    assert 30 < haversine_m((LNG, LAT), (LNG, NEAR_LAT)) < 40
    assert 60 < haversine_m((LNG, LAT), (LNG, FAR_LAT)) < 70


def test_a_report_near_a_recently_closed_problem_is_a_rebound(world, rubbish):
    with time_machine.travel(at(2026, 9, 1, 10), tick=False):
        first = close(world, report(world, rubbish))
    with time_machine.travel(at(2026, 10, 20, 10), tick=False):
        again = report(world, rubbish, lat=NEAR_LAT)
        farther = report(world, rubbish, lat=FAR_LAT)
        other_kind = report(world, Category.objects.get(code="SJ0401"), lat=NEAR_LAT)
    assert again.rebound_of == first
    assert farther.rebound_of is None and other_kind.rebound_of is None
    # The summary counts it on the day reported.
    day = at(2026, 10, 20, 0).date()
    counts = sum(summary_table(day, day).values(), Counter())
    assert counts["rebounds"] == 1 and counts["reported"] == 3


def test_the_same_address_counts_without_coordinates_and_ninety_days_is_the_limit(world, rubbish):
    with time_machine.travel(at(2026, 6, 1, 10), tick=False):
        old = close(world, report(world, rubbish, lng=None, lat=None, address="和平路12号"))
    with time_machine.travel(at(2026, 8, 29, 10), tick=False):  # 89 days on
        assert report(world, rubbish, lng=None, lat=None, address="和平路12号").rebound_of == old
        # The same address text in another district is another place.
        assert report(world, rubbish, lng=None, lat=None, address="和平路12号",
                      district=world.other_district).rebound_of is None
    with time_machine.travel(at(2026, 9, 1, 10), tick=False):  # 92 days on
        assert report(world, rubbish, lng=None, lat=None, address="和平路12号").rebound_of is None


def test_an_open_problem_nearby_is_a_duplicate_not_a_rebound(world, rubbish):
    with time_machine.travel(at(2026, 9, 14, 10), tick=False):
        first = report(world, rubbish)
    with time_machine.travel(at(2026, 9, 16, 10), tick=False):
        second = report(world, rubbish, lat=NEAR_LAT)
        far = report(world, rubbish, lat=FAR_LAT)
    assert second.rebound_of is None
    assert duplicate_candidates(second) == [first]
    assert duplicate_candidates(first) == [second]  # reported after it, until now
    assert far not in duplicate_candidates(first)
    # A week is the window: a report eight days later is a new problem.
    with time_machine.travel(at(2026, 9, 22, 11), tick=False):
        later = report(world, rubbish, lat=NEAR_LAT)
    assert first not in duplicate_candidates(later) and second in duplicate_candidates(later)
    # Nearest first; scoped: the dispatch desk sees them all, a community in the other district none.
    assert duplicate_candidates(second, user=world.hq) == [later, first]
    assert duplicate_candidates(second, user=world.e1_head) == []


def test_merge_voids_the_duplicate_and_its_tracking_code_follows_the_target(world, rubbish):
    with time_machine.travel(at(2026, 9, 14, 10), tick=False):
        first = report(world, rubbish)
        dup = report(world, rubbish, lat=NEAR_LAT, source=Source.CITIZEN, actor=world.c1_liaison)
        merged = problem_merge(duplicate=dup, into=first, actor=world.hq, note="同一处垃圾")
    assert merged.status == ProblemStatus.VOIDED and merged.merged_into == first
    assert duplicate_candidates(first) == []  # merged ones are no longer candidates
    assert list(ProblemEvent.objects.filter(problem=merged).values_list("kind", "is_public")) == [
        ("report", True), ("void", True), ("merge", False)]
    public_void = ProblemEvent.objects.get(problem=merged, kind="void")
    assert first.number not in public_void.note  # the public page shows no internal number
    target_note = ProblemEvent.objects.get(problem=first, kind="merge").note
    assert target_note == f"合并重复问题{merged.number}:同一处垃圾"
    assert Entry.objects.filter(event="problem.merge", object_id=str(first.pk)).count() == 1
    assert Notification.objects.filter(recipient=world.c1_liaison, kind="problem.merged").count() == 1
    status = public_status(merged)
    assert (status.problem, status.status, status.merged) == (first, ProblemStatus.REPORTED, True)
    with time_machine.travel(at(2026, 9, 15, 10), tick=False):
        first = close(world, first)
    status = public_status(merged)
    assert (status.status, status.label) == (ProblemStatus.CLOSED, "已销号")
    assert public_status(first).merged is False
    day = at(2026, 9, 14, 0).date()
    assert summary_table(day, day + timedelta(days=5)) == recompute(day, day + timedelta(days=5))


def test_merge_is_refused_when_it_makes_no_sense(world, rubbish):
    first, dup, third = report(world, rubbish), report(world, rubbish), report(world, rubbish)
    with pytest.raises(PermissionDenied):
        problem_merge(duplicate=dup, into=first, actor=world.c1_head)
    with pytest.raises(ValidationError, match="自身"):
        problem_merge(duplicate=dup, into=dup, actor=world.hq)
    problem_merge(duplicate=dup, into=first, actor=world.hq)
    with pytest.raises(ValidationError, match="不能作为合并目标"):
        problem_merge(duplicate=third, into=dup, actor=world.hq)
    with pytest.raises(ValidationError, match="不能作废"):  # already merged
        problem_merge(duplicate=dup, into=third, actor=world.hq)
    third.refresh_from_db()
    assert third.status == ProblemStatus.REPORTED and third.merged_into is None
