"""Plans, tasks and the handover ledger over the API: lists in scope, filters, keyset pages,
bounded queries, and one task as its page shows it.  Writes: test_tasks_api_writes.py."""

from datetime import date

import pytest

from chuangwen.tasks import services
from chuangwen.tasks.models import Task
from chuangwen.tasks.tests.conftest import draft_kwargs

from .helpers import API, assert_error, codes

pytestmark = pytest.mark.django_db


# --- plans ---------------------------------------------------------------------------------------


class TestPlans:
    def test_lists_the_plans_in_scope(self, world, task_world, api_client):
        tw = task_world
        hq = api_client(world.hq)(f"{API}/plans").json()
        assert [p["id"] for p in hq["items"]] == [tw.plan.pk, tw.d_plan.pk] and hq["next"] is None
        assert hq["items"][0]["issuing_unit"] == {"code": "HQ", "name": world.hq_unit.name}
        e1 = api_client(world.e1_head)(f"{API}/plans").json()
        assert [p["id"] for p in e1["items"]] == [tw.plan.pk]

    def test_detail_carries_the_plans_completion(self, world, task_world, api_client):
        body = api_client(world.hq)(f"{API}/plans/{task_world.plan.pk}").json()
        # Two top-level tasks of weight 1: one at 100 %, one at 0 %.
        assert body["title"] == task_world.plan.title and body["completion"] == 50.0

    def test_a_plan_out_of_scope_is_404(self, world, task_world, api_client):
        get = api_client(world.e1_head)
        assert_error(get(f"{API}/plans/{task_world.d_plan.pk}"), 404, "not_found")
        assert_error(get(f"{API}/plans/{2**70}"), 404, "not_found")


# --- tasks: reads --------------------------------------------------------------------------------


class TestTaskList:
    def test_hq_sees_every_task_in_code_order(self, world, task_world, api_client):
        tw = task_world
        assert codes(api_client(world.hq)(f"{API}/tasks")) == sorted(
            [tw.mine.code, tw.e1s.code, tw.d_only.code]
        )

    def test_another_districts_head_sees_none_of_q01s_tasks(self, world, task_world, api_client):
        get = api_client(world.e1_head)
        assert codes(get(f"{API}/tasks")) == [task_world.e1s.code]
        for params in (
            {"lead_unit": "Q01"},
            {"plan": task_world.d_plan.pk},
            {"q": "专项"},
            {"issuing_unit": "HQ", "status": "handed_in"},
        ):
            assert codes(get(f"{API}/tasks", params)) == []

    @pytest.mark.parametrize(
        "params,expected",
        [
            ({"status": "handed_in"}, ["mine"]),
            ({"lead_unit": "Q01"}, ["mine", "d_only"]),
            ({"lead_unit": "Q02-S01"}, ["e1s"]),
            ({"lead_unit": "NO-SUCH-UNIT"}, []),
            ({"issuing_unit": "HQ"}, ["mine", "e1s", "d_only"]),
            ({"issuing_unit": "Q01"}, []),
            ({"q": "西片"}, ["e1s"]),
            ({"colour": "red"}, []),
        ],
    )
    def test_filters(self, world, task_world, api_client, params, expected):
        want = sorted(getattr(task_world, name).code for name in expected)
        assert codes(api_client(world.hq)(f"{API}/tasks", params)) == want

    def test_filters_by_plan_and_parent(self, world, task_world, plan, policy, api_client):
        tw = task_world
        get = api_client(world.hq)
        assert codes(get(f"{API}/tasks", {"plan": tw.d_plan.pk})) == [tw.d_only.code]
        district = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy))
        services.task_issue(task=district, actor=world.hq)
        services.task_sign_for(task=district, actor=world.district_head)
        [sub] = services.task_decompose(task=district, units=[world.community], actor=world.district_head)
        assert codes(get(f"{API}/tasks", {"parent": district.code})) == [sub.code]
        item = get(f"{API}/tasks", {"parent": district.code}).json()["items"][0]
        assert item["parent_code"] == district.code and item["issuing_unit"]["code"] == "Q01"

    def test_colour_follows_the_overdue_board(self, world, task_world, api_client):
        tw = task_world
        # Due in two working days: blue; overdue by a day: yellow; long overdue: red.
        Task.objects.filter(pk=tw.e1s.pk).update(deadline=date(2026, 9, 18))
        Task.objects.filter(pk=tw.d_only.pk).update(deadline=date(2026, 9, 15))
        get = api_client(world.hq)
        assert codes(get(f"{API}/tasks", {"colour": "blue"})) == [tw.e1s.code]
        assert codes(get(f"{API}/tasks", {"colour": "yellow"})) == [tw.d_only.code]
        Task.objects.filter(pk=tw.d_only.pk).update(deadline=date(2026, 9, 1))
        assert codes(get(f"{API}/tasks", {"colour": "red"})) == [tw.d_only.code]
        rows = {t["code"]: t for t in get(f"{API}/tasks").json()["items"]}
        assert (rows[tw.d_only.code]["colour"], rows[tw.d_only.code]["colour_label"]) == ("red", "红色")
        # A handed-in task owes no work: no colour.
        assert rows[tw.mine.code]["colour"] is None

    def test_walking_the_pages_returns_every_task_once(self, world, task_world, plan, policy, api_client):
        for i in range(4):
            services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, title=f"任务{i}"))
        get = api_client(world.hq)
        seen, cursor = [], None
        while True:
            body = get(f"{API}/tasks", {"limit": 2, **({"after": cursor} if cursor else {})}).json()
            assert len(body["items"]) <= 2
            seen += [t["code"] for t in body["items"]]
            cursor = body["next"]
            if not cursor:
                break
        assert seen == sorted(Task.objects.values_list("code", flat=True)) and len(seen) == 7

    def test_takes_the_same_number_of_queries_for_30_tasks_as_for_3(
        self, world, task_world, plan, policy, api_client, django_assert_max_num_queries
    ):
        for i in range(30):
            t = services.task_create(
                plan=plan,
                actor=world.hq,
                **draft_kwargs(world, policy, title=f"任务{i}", lead_unit=world.community),
            )
            services.task_issue(task=t, actor=world.hq)
        # HQ sees everything; the district's head sees its own 32 through the scope rule.
        for person, expected in ((world.hq, 33), (world.district_head, 32)):
            get = api_client(person)
            get(f"{API}/units")  # the first call touches the token's last_used_at
            with django_assert_max_num_queries(8):
                body = get(f"{API}/tasks", {"limit": 200}).json()
            assert len(body["items"]) == expected

    def test_a_garbage_cursor_is_422(self, world, api_client):
        assert_error(api_client(world.hq)(f"{API}/tasks", {"after": "%%%"}), 422, "invalid")

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "nonsense"},
            {"colour": "green"},
            {"plan": 2**70},
            {"q": "a\x00b"},
            {"lead_unit": "x" * 51},
        ],
    )
    def test_bad_filters_are_422(self, world, api_client, params):
        assert_error(api_client(world.hq)(f"{API}/tasks", params), 422, "invalid")


class TestTaskDetail:
    def test_shows_the_five_fixes_parties_and_timeline(self, world, task_world, api_client):
        tw = task_world
        body = api_client(world.hq)(f"{API}/tasks/{tw.mine.code}").json()
        assert (
            body["code"] == tw.mine.code
            and body["status"] == "handed_in"
            and body["status_label"] == "已交账"
        )
        assert body["lead_unit"] == {"code": "Q01-J01-S01", "name": "和平社区"}
        assert body["issuing_unit"]["code"] == "HQ" and body["responsible_name"] == world.c1_head.full_name
        assert body["standard"] and body["criteria"] and body["points"] == 5.0 and body["weight"] == 1.0
        assert body["policy"]["code"] == "JC01" and body["deadline"] == "2026-10-30"
        assert body["completion"] == 100.0 and body["progress"] == 100 and body["days_overdue"] == 0
        assert [e["kind"] for e in body["events"]] == [
            "create",
            "issue",
            "sign_for",
            "start",
            "progress",
            "hand_in",
        ]
        assert body["version"] == tw.mine.version and body["missing_fixes"] == []
        # The office head decides the handover; nobody else may act on a handed-in task.
        assert body["allowed_actions"] == ["accept", "return"] and body["can_report"] is False

    def test_allowed_actions_are_the_token_owners(self, world, task_world, api_client):
        tw = task_world
        body = api_client(world.e1_head)(f"{API}/tasks/{tw.e1s.code}").json()
        assert body["allowed_actions"] == ["sign_for"] and body["can_report"] is False
        assert api_client(world.c1_liaison)(f"{API}/tasks/{tw.mine.code}").json()["allowed_actions"] == []
        assert api_client(world.hq)(f"{API}/tasks/{tw.e1s.code}").json()["allowed_actions"] == ["cancel"]

    def test_a_draft_lists_what_stops_its_issue(self, world, plan, api_client):
        task = services.task_create(plan=plan, actor=world.hq, title="待定")
        body = api_client(world.hq)(f"{API}/tasks/{task.code}").json()
        assert body["status"] == "draft" and body["lead_unit"] is None and body["colour"] is None
        assert (
            any(g.startswith("定奖惩") for g in body["missing_fixes"]) and "issue" in body["allowed_actions"]
        )

    def test_milestones_and_cooperating_units(self, world, plan, policy, api_client):
        task = services.task_create(
            plan=plan,
            actor=world.hq,
            cooperating_units=[world.dept],
            milestones=[{"title": "摸底", "due": date(2026, 9, 30)}],
            **draft_kwargs(world, policy),
        )
        body = api_client(world.hq)(f"{API}/tasks/{task.code}").json()
        assert [(m["title"], m["due"], m["done_at"]) for m in body["milestones"]] == [
            ("摸底", "2026-09-30", None)
        ]
        assert body["cooperating_units"] == [{"code": "D01", "name": "市住建局"}]

    @pytest.mark.parametrize("path", ["", "/updates", "/handovers"])
    def test_a_task_out_of_scope_is_404(self, world, task_world, api_client, path):
        assert_error(api_client(world.e1_head)(f"{API}/tasks/{task_world.mine.code}{path}"), 404, "not_found")

    def test_a_draft_is_not_seen_by_the_lead_unit_before_issue(self, world, plan, policy, api_client):
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy))
        assert_error(api_client(world.district_head)(f"{API}/tasks/{task.code}"), 404, "not_found")

    @pytest.mark.parametrize("code", ["a%00b", "x" * 151])
    def test_impossible_codes_are_404(self, world, api_client, code):
        assert_error(api_client(world.hq)(f"{API}/tasks/{code}"), 404, "not_found")

    def test_reading_needs_task_view(self, world, task_world, api_client):
        for path in ("/tasks", f"/tasks/{task_world.mine.code}", "/plans", "/handovers"):
            assert_error(api_client(world.secadmin)(API + path), 403, "forbidden", "查看任务")


# --- the handover ledger (交账台账) ---------------------------------------------------------


class TestLedger:
    def test_the_ledger_is_scoped_and_filtered(self, world, task_world, api_client):
        tw = task_world
        get = api_client(world.hq)
        body = get(f"{API}/handovers").json()
        assert [h["id"] for h in body["items"]] == [tw.handover.pk]
        assert (
            body["items"][0]["task_code"] == tw.mine.code and body["items"][0]["summary"] == "完成整治 12 条"
        )
        for params, found in (
            ({"status": "submitted"}, True),
            ({"status": "accepted"}, False),
            ({"unit": "Q01"}, True),
            ({"unit": "HQ"}, True),
            ({"unit": "Q02"}, False),
            ({"task": tw.mine.code}, True),
            ({"task": tw.e1s.code}, False),
        ):
            assert bool(get(f"{API}/handovers", params).json()["items"]) is found, params
        assert api_client(world.e1_head)(f"{API}/handovers").json()["items"] == []
        assert [h["id"] for h in api_client(world.district_head)(f"{API}/handovers").json()["items"]] == [
            tw.handover.pk
        ]

    def test_the_ledger_pages_by_id(self, world, task_world, api_client):
        tw = task_world
        services.handover_return(task=tw.mine, actor=world.hq, reason="补充")
        services.handover_submit(task=tw.mine, actor=world.c1_head, summary="补充后再交")
        get = api_client(world.hq)
        first = get(f"{API}/handovers", {"limit": 1}).json()
        second = get(f"{API}/handovers", {"limit": 1, "after": first["next"]}).json()
        assert [h["summary"] for h in first["items"] + second["items"]] == ["完成整治 12 条", "补充后再交"]
        assert second["next"] is None


@pytest.mark.parametrize(
    "path", ["/plans", "/tasks", "/handovers", "/tasks/{code}/updates", "/tasks/{code}/handovers"]
)
def test_list_endpoints_take_a_bounded_number_of_queries(
    world, task_world, plan, policy, api_client, django_assert_max_num_queries, path
):
    tw = task_world
    for i in range(10):
        services.handover_return(task=tw.mine, actor=world.hq, reason=f"第{i}次退回")
        services.progress_report(task=tw.mine, actor=world.c1_liaison, percent=90, text=f"第{i}次")
        services.handover_submit(task=tw.mine, actor=world.c1_head, summary=f"第{i}次交账")
        services.plan_create(year=2026, title=f"方案{i}", issuing_unit=world.hq_unit, actor=world.hq)
    get = api_client(world.hq)
    get(f"{API}/units")
    with django_assert_max_num_queries(7):
        body = get(API + path.format(code=tw.mine.code), {"limit": 200}).json()
    assert len(body["items"]) >= 3
