"""问题整改统计: the page shows what `metrics.unit_metrics` and `backlog_by_age` return and what a
recount of the raw problems gives; every count links to a list of exactly that many problems;
each person sees only their scope, and without the verb nothing."""

import html
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from chuangwen.org.models import Unit
from chuangwen.problems.metrics import backlog_by_age, unit_metrics
from chuangwen.problems.models import Category, Problem, ProblemEvent, ProblemEventKind
from chuangwen.problems.views.metrics import COLUMNS

from .drive import Walker
from .metrics_support import (
    FIRST,
    LAST,
    READ_AT,
    SEPTEMBER,
    at,
    build_book,
    by_label,
    every_link_lists_its_count,
    get_page,
    listed,
    texts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(world, rubbish):
    return build_book(world, rubbish)


@pytest.fixture
def late_september(book):
    with time_machine.travel(READ_AT, tick=False):
        yield


# --- what the page must show, computed here without the app's code --------------------------------

def pct(numerator: int, denominator: int) -> str:
    return "—" if denominator == 0 else f"{numerator / denominator * 100:.1f}%"


def visible_units(user) -> set[int] | None:
    """Units in `user`'s scope by the tree alone (their posts' subtrees); None for everything."""
    if user.username in ("hq", "mayor"):
        return None
    roots = [p.unit.path for p in user.posts.select_related("unit")]
    return {u.pk for u in Unit.objects.all() if any(u.path.startswith(r) for r in roots)}


def recount(user, start: date, end: date, group: str) -> dict:
    """The counters per group key from the raw problems and their recheck events."""
    units = visible_units(user)
    rows: dict = defaultdict(Counter)

    def inside(moment):
        return moment is not None and start <= timezone.localdate(moment) <= end

    problems = {p.pk: p for p in Problem.objects.all()}
    for p in problems.values():
        if units is not None and p.responsible_unit_id not in units and p.district_id not in units:
            continue
        dimensions = {"unit": p.responsible_unit_id, "district": p.district_id, "category": p.category_id}
        key = dimensions[group] or 0
        c = rows[key]
        counted = p.responsible_unit_id is not None and p.status != "voided"
        if inside(p.reported_at):
            c["reported"] += 1
            c["rebounds"] += p.rebound_of_id is not None
        if counted and inside(p.assigned_at):
            c["assigned"] += 1
        if p.status == "closed" and inside(p.closed_at):
            c["closed"] += 1
        if counted and inside(p.deadline):
            closed = p.status == "closed"
            c["due"] += 1
            c["due_deferred"] += p.status == "parked"
            c["due_closed"] += closed
            c["due_on_time"] += closed and p.closed_at <= p.deadline
            c["due_extended"] += p.deadline != p.original_deadline
        c["reworked"] += sum(inside(e.at) for e in ProblemEvent.objects.filter(
            problem=p, kind=ProblemEventKind.RECHECK_FAIL))
    return {k: v for k, v in rows.items() if any(v.values())}


def expected_texts(c: Counter) -> dict:
    assessed = c["due"] - c["due_deferred"]
    return {
        "reported": str(c["reported"]), "assigned": str(c["assigned"]), "due": str(c["due"]),
        "due_on_time": str(c["due_on_time"]), "on_time_rate": pct(c["due_on_time"], assessed),
        "closure_rate": pct(c["due_closed"], assessed),
        "rework_rate": pct(c["reworked"], c["reworked"] + c["closed"]),
        "extension_rate": pct(c["due_extended"], c["due"]), "rebound_rate": pct(c["rebounds"], c["reported"]),
    }


def selector_texts(m) -> dict:
    def rate(v):
        return "—" if v is None else f"{v * 100:.1f}%"

    return {"reported": str(m.reported), "assigned": str(m.assigned), "due": str(m.due),
            "due_on_time": str(m.due_on_time), "on_time_rate": rate(m.on_time_rate),
            "closure_rate": rate(m.closure_rate), "rework_rate": rate(m.rework_rate),
            "extension_rate": rate(m.extension_rate), "rebound_rate": rate(m.rebound_rate),
            "avg_close_hours": "—" if m.avg_close_hours is None else f"{m.avg_close_hours:.1f}"}


# --- the figures ----------------------------------------------------------------------------------

def test_the_hand_made_month_reads_as_worked_out(client, login, world, late_september):
    login(world.hq)
    response = get_page(client, SEPTEMBER)
    rows = by_label(response)
    assert list(rows) == ["市住建局", "和平社区", "友谊社区", "西湖社区", "未交办"]  # the tree, then none
    assert rows["和平社区"] == {
        "on_time_rate": "33.3%", "closure_rate": "50.0%", "due": "6", "due_on_time": "2", "reported": "7",
        "assigned": "6", "rework_rate": "25.0%", "extension_rate": "0.0%", "rebound_rate": "14.3%",
        "avg_close_hours": "11.0"}
    assert rows["友谊社区"]["extension_rate"] == "50.0%" and rows["友谊社区"]["rework_rate"] == "—"
    assert rows["西湖社区"]["on_time_rate"] == "—"  # its only due problem is parked
    assert (rows["市住建局"]["avg_close_hours"], rows["市住建局"]["rebound_rate"]) == ("6.0", "0.0%")
    assert (rows["未交办"]["reported"], rows["未交办"]["assigned"]) == ("2", "0")
    assert texts(response.context["total"]) == {
        "on_time_rate": "33.3%", "closure_rate": "44.4%", "due": "10", "due_on_time": "3", "reported": "13",
        "assigned": "10", "rework_rate": "20.0%", "extension_rate": "10.0%", "rebound_rate": "7.7%",
        "avg_close_hours": "9.8"}  # (8 + 8 + 17 + 6) ÷ 4 = 9.75
    page = html.unescape(response.content.decode())
    assert "9.8" in page and "44.4%" in page
    # "—" says why: the formula and that the denominator is 0.
    assert re.search(r'title="按期结案数 ÷ \(应结案数 − 挂账数\);分母为 0[^"]*">\s*<span class="text-muted">—', page)
    # Under 1 working day p11, 1-3 p12, 3-7 p13, over 7 p3, p7 and p10; all but p11 overdue.
    assert [c.value for c in response.context["backlog_total"].cells] == [1, 1, 1, 3, 6, 5]


@pytest.mark.parametrize("group", ["unit", "district", "category"])
@pytest.mark.parametrize("person", ["hq", "district_head", "c1_head"])
def test_figures_equal_the_selector_and_a_recount(client, login, world, late_september, group, person):
    user = getattr(world, person)
    login(user)
    response = get_page(client, {**SEPTEMBER, "group": group})
    page_rows = response.context["rows"]
    selected = unit_metrics(user, start=FIRST, end=LAST, group_by=group)
    assert [(r.key, r.label) for r in page_rows] == [(m.key, m.label) for m in selected]
    for row, m in zip(page_rows, selected, strict=True):
        assert texts(row) == selector_texts(m)
    (total,) = unit_metrics(user, start=FIRST, end=LAST, group_by=None)
    assert texts(response.context["total"]) == selector_texts(total)
    fresh = recount(user, FIRST, LAST, group)
    assert {r.key for r in page_rows} == set(fresh)
    for row in page_rows:
        shown = texts(row)
        del shown["avg_close_hours"]
        assert shown == expected_texts(fresh[row.key]), row.label
    backlog = backlog_by_age(user, now=timezone.now(), group_by=group)
    assert [[c.value for c in r.cells] for r in response.context["backlog"]] == [
        [b.under_1, b.days_1_3, b.days_3_7, b.over_7, b.total, b.overdue] for b in backlog]


@pytest.mark.parametrize("group", ["unit", "district", "category"])
@pytest.mark.parametrize("person", ["hq", "district_head"])
def test_each_count_links_to_a_list_of_exactly_that_many(client, login, world, late_september, group, person):
    login(getattr(world, person))
    assert every_link_lists_its_count(client, get_page(client, {**SEPTEMBER, "group": group})) > 20


def test_a_link_lists_the_problems_the_figure_counts(client, login, world, book, late_september):
    login(world.hq)
    rows = {r.label: r for r in get_page(client, SEPTEMBER).context["rows"]}
    cells = dict(zip([c.key for c in COLUMNS], rows["和平社区"].cells, strict=True))
    assert set(listed(client, cells["due_on_time"].url)) == {book.old.number, book.p1.number}
    assert set(listed(client, cells["due"].url)) == {p.number for p in (book.old, book.p1, book.p2, book.p10,
                                                                         book.p12, book.p13)}
    # The voided p8 was reported in September but is nobody's assignment.
    assert book.p8.number in listed(client, cells["reported"].url)
    assert book.p8.number not in listed(client, cells["assigned"].url)
    unassigned = dict(zip([c.key for c in COLUMNS], rows["未交办"].cells, strict=True))
    assert set(listed(client, unassigned["reported"].url)) == {book.p6.number, book.p9.number}


@pytest.mark.parametrize("seed", [3, 8])
def test_after_a_random_walk_the_page_agrees_with_a_recount_and_its_links(client, login, world, rubbish,
                                                                          seed):
    from chuangwen.problems.catalogue import ensure_catalogue
    from chuangwen.problems.models import TimeLimit

    ensure_catalogue(Category, TimeLimit)
    walker = Walker(world, seed)
    with time_machine.travel(at(9, 14, 9), tick=False) as clock:
        for _ in range(70):
            walker.moves.append(walker.step())
            clock.shift(timedelta(minutes=walker.rng.choice([0, 30, 120, 900, 2000])))
        login(world.hq)
        for params, (start, end) in ((SEPTEMBER, (FIRST, LAST)),
                                     ({"start": "2026-09-15", "end": "2026-10-20"}, (date(2026, 9, 15),
                                                                                     date(2026, 10, 20)))):
            for group in ("unit", "district", "category"):
                response = get_page(client, {**params, "group": group})
                fresh = recount(world.hq, start, end, group)
                assert {r.key: {k: v for k, v in texts(r).items() if k != "avg_close_hours"}
                        for r in response.context["rows"]} == {k: expected_texts(c) for k, c in fresh.items()}
                assert every_link_lists_its_count(client, response) >= 4 * len(response.context["rows"])


# --- scope and permission -------------------------------------------------------------------------

def test_a_district_head_sees_the_units_and_problems_of_the_district(client, login, world, late_september):
    login(world.district_head)
    rows = by_label(get_page(client, SEPTEMBER))
    # 市住建局 answers for a problem inside the district, so the district head sees that figure.
    assert list(rows) == ["市住建局", "和平社区", "友谊社区", "未交办"]
    page = get_page(client, SEPTEMBER).content.decode()
    assert "西湖社区" not in page


def test_the_head_of_another_district_sees_none_of_it(client, login, world, late_september):
    from chuangwen.accounts.roles import Role
    from chuangwen.accounts.services import user_create
    from chuangwen.org.services import post_appoint

    west = user_create(username="west_head", full_name="城西区长", password=world.password,
                       roles=(Role.UNIT_HEAD,), must_change_password=False)
    post_appoint(person=west, unit=world.other_district, title="区长", is_head=True,
                 valid_from=date(2020, 1, 1))
    login(world.hq)
    hq_rows = {r.label: r for r in get_page(client, SEPTEMBER).context["rows"]}
    links = [c.url for label in ("和平社区", "友谊社区", "市住建局", "未交办") for c in hq_rows[label].cells if c.url]
    login(west)
    response = get_page(client, SEPTEMBER)
    assert list(by_label(response)) == ["西湖社区"]
    page = response.content.decode()
    assert "和平社区" not in page and "市住建局" not in page
    for url in links:  # HQ's links, opened by the other district's head, list nothing
        assert listed(client, url) == []


@pytest.mark.parametrize("person", ["outsider", "auditor", "sysadmin"])
def test_without_the_verb_the_page_the_export_and_the_list_are_refused(client, login, world, person):
    login(getattr(world, person))
    for url in ("/problems/metrics/", "/problems/metrics/?format=xlsx", "/problems/?tab=all&date=reported"):
        assert client.get(url).status_code == 403, url
