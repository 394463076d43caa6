"""Completion rolled up by weight: plain Python, then the plan page's figure from real tasks."""

from decimal import Decimal

import pytest

from chuangwen.tasks import rollup, selectors, services
from chuangwen.tasks.rollup import Row

from .conftest import draft_kwargs


def test_leaf_uses_reported_progress_and_accepted_counts_full():
    rows = [Row(1, None, Decimal(1), "in_progress", 40), Row(2, None, Decimal(1), "accepted", 70)]
    assert rollup.completions(rows) == {1: 40.0, 2: 100.0}


def test_parent_is_the_weighted_mean_of_live_subtasks_never_its_own_figure():
    rows = [
        Row(1, None, Decimal(1), "in_progress", 5),  # typed at the parent: ignored
        Row(2, 1, Decimal(3), "accepted", 100),
        Row(3, 1, Decimal(1), "in_progress", 0),
        Row(4, 1, Decimal(5), "cancelled", 0),
    ]
    assert rollup.completions(rows)[1] == 75.0


def test_plan_completion_weights_top_level_tasks():
    rows = [Row(1, None, Decimal(2), "accepted", 100), Row(2, None, Decimal(1), "issued", 40),
            Row(3, 2, Decimal(1), "in_progress", 10)]
    assert rollup.plan_completion(rows) == pytest.approx((100 * 2 + 10) / 3)


def test_empty_plan_is_zero():
    assert rollup.plan_completion([]) == 0.0


@pytest.mark.django_db
def test_plan_page_shows_the_rolled_up_figure(client, login, world, plan, policy):
    a = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, weight=3))
    b = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, lead_unit=world.dept))
    for t in (a, b):
        services.task_issue(task=t, actor=world.hq)
    services.task_sign_for(task=a, actor=world.district_head)
    services.progress_report(task=a, actor=world.district_head, percent=60, text="过半")
    assert selectors.plan_completion(plan) == pytest.approx(45.0)
    login(world.hq)
    assert 'id="plan-completion">45.0%' in client.get(f"/tasks/plans/{plan.pk}/").content.decode()


@pytest.mark.django_db
def test_policy_catalogue_is_kept_through_the_admin(client, login, world):
    from chuangwen.audit.models import Entry
    from chuangwen.tasks.models import RewardPolicy

    login(world.hq)
    response = client.post("/manage/tasks/rewardpolicy/add/", {
        "code": "JC09", "name": "提前完成表彰", "on_early": "commendation", "on_time": "", "on_overdue": "criticism",
        "on_repeat_overdue": "talk", "description": ""})
    assert response.status_code == 302
    assert RewardPolicy.objects.get(code="JC09").on_early == "commendation"
    assert Entry.objects.filter(event="policy.create", actor_id=world.hq.pk).exists()
    login(world.district_head)
    assert client.get("/manage/tasks/rewardpolicy/").status_code in (302, 403)
