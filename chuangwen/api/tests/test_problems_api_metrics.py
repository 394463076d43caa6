"""Problems over the API: the metrics (the selector's own figures, within the scope), the
categories with their time limits, and the operations in the OpenAPI document."""

import json

import pytest

from chuangwen.problems import services
from chuangwen.problems.metrics import unit_metrics
from chuangwen.problems.models import Category
from chuangwen.problems.tests.conftest import NOW, png

from .helpers import API, assert_error

pytestmark = pytest.mark.django_db


# --- metrics ---------------------------------------------------------------------------------------


class TestMetrics:
    @pytest.fixture
    def closed(self, world, pw):
        accepted = services.problem_accept(problem=pw.c1, actor=world.c1_head)
        submitted = services.problem_submit(problem=accepted, actor=world.c1_liaison, photos=[png()])
        return services.problem_recheck(problem=submitted, actor=world.inspector, passed=True)

    @pytest.mark.parametrize("group", ["unit", "district", "category"])
    def test_figures_are_the_selectors(self, world, closed, api_client, group):
        day = NOW.date()
        for person in (world.hq, world.e1_head, world.district_head):
            params = {"start": day.isoformat(), "end": day.isoformat(), "group": group}
            body = api_client(person)(f"{API}/problems/metrics", params).json()
            expected = unit_metrics(person, start=day, end=day, group_by=group)
            assert [r["label"] for r in body["items"]] == [m.label for m in expected]
            for row, m in zip(body["items"], expected, strict=True):
                assert {k: v for k, v in row.items() if k != "code"} == {
                    k: v for k, v in m.as_dict().items() if k != "key"}
            [total] = unit_metrics(person, start=day, end=day, group_by=None)
            assert body["total"] == {**{k: v for k, v in total.as_dict().items() if k != "key"}, "code": None}
        assert body["group"] == group and body["start"] == body["end"] == day.isoformat()

    def test_rows_name_their_units_by_code_and_stay_in_scope(self, world, closed, api_client):
        hq = api_client(world.hq)(f"{API}/problems/metrics").json()
        # The problem still on the desk counts for no unit (未交办, last).
        assert [(r["code"], r["label"]) for r in hq["items"]] == [
            ("Q01-J01-S01", "和平社区"), ("Q02-S01", "西湖社区"), (None, "未交办")]
        c1 = hq["items"][0]
        assert (c1["reported"], c1["assigned"], c1["closed"]) == (2, 2, 1)
        e1 = api_client(world.e1_head)(f"{API}/problems/metrics").json()
        assert [r["code"] for r in e1["items"]] == ["Q02-S01"] and e1["total"]["reported"] == 1
        by_category = api_client(world.hq)(f"{API}/problems/metrics", {"group": "category"}).json()
        assert [r["code"] for r in by_category["items"]] == ["SJ0101"]

    def test_filters_and_the_default_period(self, world, closed, api_client):
        get = api_client(world.hq)
        body = get(f"{API}/problems/metrics").json()
        assert (body["start"], body["end"]) == ("2026-09-01", "2026-09-16")
        in_q02 = get(f"{API}/problems/metrics", {"unit": "Q02"}).json()["items"]
        assert [r["code"] for r in in_q02] == ["Q02-S01"]
        assert get(f"{API}/problems/metrics", {"district": "Q01", "group": "district"}).json()["items"][0][
            "code"] == "Q01"
        nothing = get(f"{API}/problems/metrics", {"unit": "NO-SUCH"}).json()
        assert nothing["items"] == []
        assert nothing["total"]["reported"] == 0 and nothing["total"]["on_time_rate"] is None
        # Out of scope reads as unknown.
        assert api_client(world.e1_head)(f"{API}/problems/metrics", {"unit": "Q01"}).json()["items"] == []

    @pytest.mark.parametrize("params,message", [
        ({"start": "2026-09-10", "end": "2026-09-01"}, "起始日期不能晚于截止日期。"),
        ({"start": "2025-09-15", "end": "2026-09-16"}, "统计期间最长 366 天"),
        ({"start": "1999-12-31"}, None), ({"end": "2026-13-01"}, None), ({"group": "day"}, None),
    ])
    def test_bad_periods_are_422(self, world, pw, api_client, params, message):
        assert_error(api_client(world.hq)(f"{API}/problems/metrics", params), 422, "invalid", message)

    def test_without_the_verb_it_is_403(self, world, api_client):
        assert_error(api_client(world.auditor)(f"{API}/problems/metrics"), 403, "forbidden", "查看问题")


# --- categories --------------------------------------------------------------------------------------


class TestCategories:
    def test_categories_with_their_time_limits_page_by_code(self, world, rubbish, api_client):  # noqa: F811
        get = api_client(world.c1_liaison)
        everything = get(f"{API}/problem-categories", {"limit": 200}).json()["items"]
        assert [c["code"] for c in everything] == sorted(Category.objects.values_list("code", flat=True))
        row = next(c for c in everything if c["code"] == "SJ0101")
        assert row["limits"] == [
            {"severity": "normal", "amount": 1, "unit": "days", "unit_label": "工作日"},
            {"severity": "serious", "amount": 4, "unit": "hours", "unit_label": "工作小时"},
            {"severity": "urgent", "amount": 2, "unit": "hours", "unit_label": "工作小时"},
        ]
        assert (row["kind_label"], row["group"], row["is_active"]) == ("事件", "市容环境", True)
        first = get(f"{API}/problem-categories", {"limit": 5}).json()
        second = get(f"{API}/problem-categories", {"limit": 5, "after": first["next"]}).json()
        assert [c["code"] for c in first["items"] + second["items"]] == [c["code"] for c in everything[:10]]

    def test_the_active_filter(self, world, rubbish, api_client):  # noqa: F811
        Category.objects.filter(code="SJ0901").update(is_active=False)
        get = api_client(world.hq)

        def codes(**params):
            body = get(f"{API}/problem-categories", {"limit": 200, **params}).json()
            return [c["code"] for c in body["items"]]

        assert "SJ0901" not in codes(active="true") and "SJ0901" in codes()
        assert codes(active="false") == ["SJ0901"]


def test_every_problem_operation_is_documented_under_one_tag(client):
    doc = json.loads(client.get(f"{API}/openapi.json").content)
    ops = {(path, method): op for path, methods in doc["paths"].items() for method, op in methods.items()
           if "/problem" in path}
    assert len(ops) == 19
    assert {tuple(op["tags"]) for op in ops.values()} == {("问题整改",)}
    submit = ops[("/api/v1/problems/{number}/submit", "post")]["requestBody"]["content"]
    assert set(submit) == {"application/json", "multipart/form-data"}
    assert submit["multipart/form-data"]["schema"]["properties"]["photos"]["items"]["format"] == "binary"
