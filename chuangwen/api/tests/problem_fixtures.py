"""The problems the API tests act on, built through the services on the shared world, and the
helpers to post as a person.  The fixtures reach every API test module through conftest.py."""

import pytest

from chuangwen.api.services import token_issue
from chuangwen.attachments.models import Attachment
from chuangwen.problems import services
from chuangwen.problems.models import Source
from chuangwen.problems.services.public import problem_report_citizen
from chuangwen.problems.tests.conftest import png

from .helpers import API


class ProblemWorld:
    """Problems on top of the shared world, built through the services."""


def report(world, category, *, district=None, actor=None, **kw):
    return services.problem_report(
        source=kw.pop("source", Source.INSPECTION), category=category,
        description=kw.pop("description", "暴露垃圾"), actor=actor or world.inspector,
        district=district or world.district, address=kw.pop("address", "和平路12号"), **kw,
    )


@pytest.fixture
def pw(world, routed, now):
    """At Wednesday 2026-09-16 10:00: `new` waits on the desk (district D, suggested 和平社区);
    `c1` is assigned to 和平社区 (C1); `e1` lies in district E, assigned to 西湖社区 (E1), out of
    reach of C1's people; `citizen` is a citizen's 随手拍 with a name and a phone, assigned to C1."""
    p = ProblemWorld()
    p.category = routed
    p.new = report(world, routed, address="解放路3号")
    p.c1 = services.problem_assign(problem=report(world, routed), actor=world.hq)
    west = report(world, routed, district=world.other_district, address="西湖路1号")
    p.e1 = services.problem_assign(problem=west, actor=world.hq, unit=world.other_community)
    citizen = problem_report_citizen(category=routed, description="垃圾桶满溢", photos=[png()],
                                     district=world.district, address="和平路", name="张三丰",
                                     phone="138 1234 5678")
    p.citizen = services.problem_assign(problem=citizen, actor=world.hq)
    for name in ("new", "c1", "e1", "citizen"):
        getattr(p, name).refresh_from_db()
    return p


@pytest.fixture
def rectifying(world, pw):
    return services.problem_accept(problem=pw.c1, actor=world.c1_head)


@pytest.fixture
def submitted(world, rectifying):
    return services.problem_submit(problem=rectifying, actor=world.c1_liaison, photos=[png()], note="已清理")


@pytest.fixture
def act(api_post):
    """act(person, problem, step, body) -> the answer to POST /problems/{number}/{step} with a fresh
    token of that person."""

    def post(person, problem, step, body=None):
        return api_post(person)(f"{API}/problems/{problem.number}/{step}", body or {})

    return post


@pytest.fixture
def multipart(client, world):
    """multipart(person) -> post(path, data, **extra) sending a form with that person's fresh token."""

    def for_person(person):
        _, token = token_issue(person=person, name="测试", actor=world.secadmin)

        def post(path, data, **extra):
            return client.post(path, data, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)

        return post

    return for_person


def unchanged(problem):
    """A snapshot of what a refused write must leave alone."""
    problem.refresh_from_db()
    return (problem.status, problem.version, problem.responsible_unit_id, problem.deadline,
            problem.events.count(), Attachment.objects.filter(owner_id=problem.pk).count())


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["number"] for p in response.json()["items"]]
