"""Problems over the API, reads: the list (scope, filters, colours, keyset pages), the detail
(photos, timeline, allowed actions, masked contact) and the dispatch desk.  The fixtures and
helpers they share are in problem_fixtures.py."""

from datetime import datetime

import pytest
import time_machine

from chuangwen.api.v1.pagination import encode_cursor
from chuangwen.attachments.selectors import attachment_url
from chuangwen.attachments.tests.samples import phone_photo, upload
from chuangwen.problems import selectors_pages as pages
from chuangwen.problems import services
from chuangwen.problems.models import Problem, Severity, Source
from chuangwen.problems.selectors import problems_visible_to
from chuangwen.problems.services.staff import problem_report_with_photos
from chuangwen.problems.tests.conftest import TZ

from .helpers import API, assert_error
from .problem_fixtures import numbers, report

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


# --- the list ------------------------------------------------------------------------------------


class TestList:
    def test_hq_sees_every_problem_newest_first(self, world, pw, api_client):
        body = api_client(world.hq)(f"{API}/problems").json()
        newest_first = [pw.citizen.number, pw.e1.number, pw.c1.number, pw.new.number]
        assert [p["number"] for p in body["items"]] == newest_first
        assert body["next"] is None
        row = body["items"][2]
        assert row["status"] == "assigned" and row["status_label"] == "已交办"
        assert row["category"] == {"code": "SJ0101", "name": "暴露垃圾", "kind": "event", "group": "市容环境"}
        assert row["responsible_unit"] == {"code": "Q01-J01-S01", "name": "和平社区"}
        assert row["district"] == {"code": "Q01", "name": "城东区"}
        assert row["version"] == pw.c1.version and row["deadline"] and row["overdue"] is False

    def test_a_liaison_sees_only_the_problems_of_their_unit(self, world, pw, api_client):
        text = api_client(world.c1_liaison)(f"{API}/problems", {"limit": 200}).content.decode()
        assert numbers(api_client(world.c1_liaison)(f"{API}/problems")) == [pw.citizen.number, pw.c1.number]
        assert pw.e1.number not in text and "西湖" not in text and PHONE not in text
        assert numbers(api_client(world.e1_head)(f"{API}/problems")) == [pw.e1.number]

    def test_filters_narrow_within_the_scope(self, world, pw, api_client):
        get = api_client(world.hq)
        two = {"status": ["reported", "assigned"], "source": "inspection"}
        assert numbers(get(f"{API}/problems", two)) == [pw.e1.number, pw.c1.number, pw.new.number]
        assert numbers(get(f"{API}/problems", {"status": "reported"})) == [pw.new.number]
        assert numbers(get(f"{API}/problems", {"source": "citizen"})) == [pw.citizen.number]
        assert numbers(get(f"{API}/problems", {"unit": "Q01"})) == [pw.citizen.number, pw.c1.number]
        assert numbers(get(f"{API}/problems", {"unit": "NO-SUCH"})) == []
        assert numbers(get(f"{API}/problems", {"district": "Q02"})) == [pw.e1.number]
        assert numbers(get(f"{API}/problems", {"category": "SJ0101", "q": "解放"})) == [pw.new.number]
        assert numbers(get(f"{API}/problems", {"q": pw.c1.number[-3:]})) == [pw.c1.number]
        assert numbers(get(f"{API}/problems", {"category": "BJ0101"})) == []
        # The liaison's filters never reach beyond their scope.
        assert numbers(api_client(world.c1_liaison)(f"{API}/problems", {"district": "Q02"})) == []

    def test_reported_after_and_before_in_beijing_time(self, world, pw, api_client):
        with time_machine.travel(datetime(2026, 9, 17, 9, 0, tzinfo=TZ), tick=False):
            later = report(world, pw.category, address="次日")
        get = api_client(world.hq)
        assert numbers(get(f"{API}/problems", {"reported_after": "2026-09-17"})) == [later.number]
        after = {"reported_after": "2026-09-17T00:59:00+08:00"}
        assert numbers(get(f"{API}/problems", after)) == [later.number]
        assert numbers(get(f"{API}/problems", {"reported_after": "2026-09-17T01:00:01Z"})) == []
        assert len(numbers(get(f"{API}/problems", {"reported_before": "2026-09-17"}))) == 4

    def test_walking_all_pages_returns_every_visible_problem_once(
        self, world, pw, api_client, django_assert_max_num_queries
    ):
        for i in range(7):
            report(world, pw.category, address=f"东街{i}号")
        get = api_client(world.district_head)
        get(f"{API}/problems")  # the token's first use writes last_used_at
        seen, cursor = [], None
        while True:
            with django_assert_max_num_queries(8):
                body = get(f"{API}/problems", {"limit": 3, **({"after": cursor} if cursor else {})}).json()
            assert len(body["items"]) <= 3
            seen += [p["number"] for p in body["items"]]
            cursor = body["next"]
            if not cursor:
                break
        visible = problems_visible_to(world.district_head).order_by("-id")
        expected = list(visible.values_list("number", flat=True))
        assert seen == expected and len(set(seen)) == len(seen) == 10

    def test_a_full_page_takes_a_bounded_number_of_queries(self, world, pw, api_client,
                                                           django_assert_max_num_queries):
        for _ in range(30):
            services.problem_assign(problem=report(world, pw.category), actor=world.hq)
        get = api_client(world.hq)
        get(f"{API}/problems")
        with django_assert_max_num_queries(8):
            assert len(get(f"{API}/problems", {"limit": 200}).json()["items"]) == 34

    @pytest.mark.parametrize("params", [
        {"status": "lost"}, {"colour": "green"}, {"source": "rumour"}, {"limit": 0}, {"q": "a\x00b"},
        {"q": "x" * 51}, {"reported_after": "yesterday"}, {"reported_before": "1900-01-01"},
        {"after": "garbage!!"}, {"after": encode_cursor("text")}, {"after": encode_cursor(-1)},
        {"after": encode_cursor(2**80)},
    ])
    def test_bad_parameters_are_422_in_the_error_shape(self, world, pw, api_client, params):
        error = assert_error(api_client(world.hq)(f"{API}/problems", params), 422, "invalid")
        assert error["message"]


class TestColours:
    """Three colours at Friday 2026-09-18 10:00, on the working clock (08:30-17:30)."""

    @pytest.fixture
    def coloured(self, world, routed):  # noqa: F811
        def assigned_at(moment, severity=Severity.NORMAL):
            with time_machine.travel(moment, tick=False):
                return services.problem_assign(problem=report(world, routed), actor=world.hq,
                                               severity=severity)

        # Due Tuesday 17:30: 19.5 working hours late on Friday at 10:00 (red after 16).
        red = assigned_at(datetime(2026, 9, 14, 10, 0, tzinfo=TZ))
        # Due Thursday 17:30: 1.5 working hours late.
        yellow = assigned_at(datetime(2026, 9, 16, 9, 0, tzinfo=TZ))
        # Urgent, two working hours: due Friday 11:00, one hour left.
        blue = assigned_at(datetime(2026, 9, 18, 9, 0, tzinfo=TZ), Severity.URGENT)
        # Due Monday 17:30: far from it.
        calm = assigned_at(datetime(2026, 9, 18, 9, 0, tzinfo=TZ))
        with time_machine.travel(datetime(2026, 9, 18, 10, 0, tzinfo=TZ), tick=False):
            yield {"red": red, "yellow": yellow, "blue": blue, "calm": calm}

    def test_each_colour_lists_its_problems_as_the_pages_read_them(self, world, coloured, api_client):
        get = api_client(world.hq)
        for colour in ("red", "yellow", "blue"):
            assert numbers(get(f"{API}/problems", {"colour": colour})) == [coloured[colour].number]
        rows = {p["number"]: p for p in get(f"{API}/problems").json()["items"]}
        read = pages.with_due(list(Problem.objects.filter(pk__in=[p.pk for p in coloured.values()])))
        for p in read:
            assert (rows[p.number]["colour"] or "") == p.colour
            assert rows[p.number]["overdue"] == (p.due == "overdue")
        assert rows[coloured["red"].number]["colour_label"] == "红色"
        assert rows[coloured["calm"].number]["colour"] is None

    def test_a_colour_page_reads_batch_after_batch(self, world, coloured, api_client, routed,  # noqa: F811
                                                    monkeypatch):
        # Batches of two rows: the yellow ones are spread over several, the red one is the oldest.
        from chuangwen.api.v1 import problems_reads

        monkeypatch.setattr(problems_reads, "COLOUR_SCAN", 2)
        with time_machine.travel(datetime(2026, 9, 16, 9, 30, tzinfo=TZ), tick=False):
            for _ in range(5):
                services.problem_assign(problem=report(world, routed), actor=world.hq)
        get = api_client(world.hq)
        first = get(f"{API}/problems", {"colour": "yellow", "limit": 2}).json()
        seen = [p["number"] for p in first["items"]]
        cursor = first["next"]
        while cursor:
            body = get(f"{API}/problems", {"colour": "yellow", "limit": 2, "after": cursor}).json()
            seen += [p["number"] for p in body["items"]]
            cursor = body["next"]
        assert len(seen) == len(set(seen)) == 6
        assert numbers(get(f"{API}/problems", {"colour": "red", "limit": 1})) == [coloured["red"].number]


# --- one problem ---------------------------------------------------------------------------------


class TestDetail:
    def test_detail_as_the_page_shows_it(self, world, pw, api_client):
        body = api_client(world.hq)(f"{API}/problems/{pw.c1.number}").json()
        assert body["number"] == pw.c1.number and body["status"] == "assigned"
        assert body["suggested_unit"]["code"] == "Q01-J01-S01"
        assert body["responsible_name"] == world.c1_head.full_name
        assert body["reported_by_name"] == world.inspector.full_name and body["reporter"] is None
        assert [e["kind"] for e in body["events"]] == ["report", "assign"]
        assert body["events"][1]["note"] == "交办至和平社区" and body["events"][1]["actor_name"] == str(world.hq)
        assert body["allowed_actions"] == ["void", "merge"]
        assert body["photos_before"] == [] and body["photos_after"] == []
        assert body["version"] == pw.c1.version

    def test_allowed_actions_follow_the_person(self, world, pw, api_client):
        def allowed(person, problem):
            return api_client(person)(f"{API}/problems/{problem.number}").json()["allowed_actions"]

        assert allowed(world.c1_liaison, pw.c1) == ["accept", "return"]
        assert allowed(world.hq, pw.new) == ["assign", "void", "merge"]
        assert allowed(world.district_head, pw.c1) == []

    def test_photos_carry_the_page_url_and_evidence_only_for_those_allowed(self, world, pw, api_client):
        problem = problem_report_with_photos(
            actor=world.inspector, source=Source.INSPECTION, category=pw.category, description="井盖缺失",
            district=world.district, photos=[upload("现场.jpg", phone_photo(), "image/jpeg")])
        problem = services.problem_assign(problem=problem, actor=world.hq)
        [photo] = pages.photos_of(problem)["before"]
        hq = api_client(world.hq)(f"{API}/problems/{problem.number}").json()["photos_before"]
        assert [(p["id"], p["url"], p["content_type"]) for p in hq] == [
            (photo.pk, attachment_url(photo), "image/jpeg")]
        assert hq[0]["evidence"]["device"] and hq[0]["evidence"]["gps_lat"] == pytest.approx(30.5728456)
        head = api_client(world.c1_head)(f"{API}/problems/{problem.number}").json()["photos_before"]
        assert head[0]["url"] == attachment_url(photo) and head[0]["evidence"] is None

    def test_the_citizens_contact_is_only_ever_masked(self, world, pw, api_client):
        for person in (world.hq, world.c1_head, world.district_head):
            response = api_client(person)(f"{API}/problems/{pw.citizen.number}")
            assert response.json()["reporter"] == {"name": "张**", "phone": "138****5678"}, person
            text = response.content.decode()
            assert PHONE not in text and "138 1234" not in text and "张三丰" not in text
        body = response.json()
        assert body["tracking_code"] == pw.citizen.tracking_code
        assert [p["evidence"] for p in body["photos_before"]] == [None]  # a citizen's photo keeps none

    def test_another_districts_liaison_gets_404(self, world, pw, api_client):
        assert_error(api_client(world.c1_liaison)(f"{API}/problems/{pw.e1.number}"), 404, "not_found")
        assert_error(api_client(world.e1_head)(f"{API}/problems/{pw.c1.number}"), 404, "not_found")
        assert api_client(world.e1_head)(f"{API}/problems/{pw.e1.number}").status_code == 200

    @pytest.mark.parametrize("number", ["abc", "1" * 21, "12%0034", "-1", "１２"])
    def test_a_number_that_cannot_exist_is_404(self, world, pw, api_client, number):
        assert_error(api_client(world.hq)(f"{API}/problems/{number}"), 404, "not_found")

    def test_the_detail_takes_a_bounded_number_of_queries(self, world, pw, api_client,
                                                          django_assert_max_num_queries):
        get = api_client(world.hq)
        get(f"{API}/problems/{pw.citizen.number}")
        with django_assert_max_num_queries(12):
            assert get(f"{API}/problems/{pw.citizen.number}").status_code == 200


# --- the desk ------------------------------------------------------------------------------------


class TestDesk:
    def test_hq_sees_what_waits_with_the_suggestion(self, world, pw, api_client):
        returned = services.problem_return(problem=services.problem_assign(problem=report(world, pw.category),
                                                                            actor=world.hq),
                                           actor=world.c1_head, reason="非本单位职责")
        body = api_client(world.hq)(f"{API}/problems/desk").json()
        assert [p["number"] for p in body["items"]] == [returned.number, pw.new.number]
        assert body["items"][1]["suggested_unit"] == {"code": "Q01-J01-S01", "name": "和平社区"}
        assert (body["total"], body["total_capped"], body["next"]) == (2, False, None)
        data = pages.desk(world.hq)
        assert [p.number for p in data["problems"]] == [p["number"] for p in body["items"]]

    def test_filters_and_keyset_pages(self, world, pw, api_client):
        for _ in range(3):
            report(world, pw.category, district=world.other_district)
        get = api_client(world.hq)
        assert len(get(f"{API}/problems/desk", {"district": "Q02"}).json()["items"]) == 3
        assert get(f"{API}/problems/desk", {"district": "Q01"}).json()["items"][0]["number"] == pw.new.number
        assert get(f"{API}/problems/desk", {"category": "NO-SUCH"}).json() == {
            "items": [], "next": None, "total": 0, "total_capped": False}
        assert get(f"{API}/problems/desk", {"source": "citizen"}).json()["items"] == []
        first = get(f"{API}/problems/desk", {"limit": 3}).json()
        rest = get(f"{API}/problems/desk", {"limit": 3, "after": first["next"]}).json()
        seen = [p["number"] for p in first["items"] + rest["items"]]
        assert len(seen) == len(set(seen)) == 4 and rest["next"] is None and first["total"] == 4

    def test_only_dispatchers_see_the_desk(self, world, pw, api_client):
        for person in (world.c1_head, world.inspector, world.mayor):
            assert_error(api_client(person)(f"{API}/problems/desk"), 403, "forbidden", "交办问题")
