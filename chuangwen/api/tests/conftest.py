import pytest

from chuangwen.api.services import token_issue
from chuangwen.problems.tests.conftest import media_root, now, routed, rubbish  # noqa: F401 (fixtures)
from chuangwen.tasks import services as tasks
from chuangwen.tasks.tests.conftest import draft, draft_kwargs, issued, plan, policy, today  # noqa: F401

from .problem_fixtures import act, multipart, pw, rectifying, submitted  # noqa: F401 (fixtures)


@pytest.fixture
def api_client(client, world):
    """api_client(person) -> a function get(path, **params) sending that person's fresh token."""

    def for_person(person, *, token=None):
        if token is None:
            _, token = token_issue(person=person, name="测试", actor=world.secadmin)

        def get(path, params=None, **extra):
            return client.get(path, params or {}, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)

        return get

    return for_person


@pytest.fixture
def api_post(client, world):
    """api_post(person) -> a function post(path, body) sending JSON with that person's fresh token."""

    def for_person(person):
        _, token = token_issue(person=person, name="测试", actor=world.secadmin)

        def post(path, body=None, **extra):
            return client.post(path, body if body is not None else {}, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}", **extra)

        return post

    return for_person


class TaskWorld:
    """Tasks on top of the shared world, built through the services."""


@pytest.fixture
def task_world(world, today, plan, policy):  # noqa: F811 (the fixtures imported above)
    """One plan with two issued tasks: `mine` led by community C1 (district D, signed, reported on,
    handed in) and `e1s` led by community E1 (e1_head's own); a second plan `d_plan` whose only
    task `d_only` is led by C1, so e1_head sees neither that plan nor any of C1's tasks."""
    tw = TaskWorld()
    tw.plan = plan
    tw.mine = tasks.task_create(plan=plan, actor=world.hq,
                                **draft_kwargs(world, policy, lead_unit=world.community))
    tasks.task_issue(task=tw.mine, actor=world.hq)
    tw.e1s = tasks.task_create(
        plan=plan, actor=world.hq,
        **draft_kwargs(world, policy, lead_unit=world.other_community, title="西片环境整治"),
    )
    tasks.task_issue(task=tw.e1s, actor=world.hq)
    tasks.task_sign_for(task=tw.mine, actor=world.c1_liaison)
    tasks.progress_report(task=tw.mine, actor=world.c1_liaison, percent=100, text="已全部完成")
    tw.handover = tasks.handover_submit(task=tw.mine, actor=world.c1_head, summary="完成整治 12 条")
    tw.d_plan = tasks.plan_create(year=2026, title="专项整治方案", issuing_unit=world.hq_unit, actor=world.hq)
    tw.d_only = tasks.task_create(plan=tw.d_plan, actor=world.hq,
                                  **draft_kwargs(world, policy, lead_unit=world.community, title="专项整治"))
    tasks.task_issue(task=tw.d_only, actor=world.hq)
    for name in ("mine", "e1s", "d_only"):
        getattr(tw, name).refresh_from_db()
    return tw
