"""Problems over the API: 延期 (the unit asks, HQ decides the pending request) and 公开答复, with
their refusals (wrong party 403, out of scope 404, bad body 422, stale 409), none changing anything."""

from datetime import datetime

import pytest

from chuangwen.audit.models import Entry
from chuangwen.problems.models import ExtensionStatus, Problem, ProblemExtension
from chuangwen.problems.tests.conftest import TZ

from .helpers import assert_error
from .problem_fixtures import unchanged

pytestmark = pytest.mark.django_db
# pw's problems are assigned on Wednesday 2026-09-16 10:00 with one working day: due Thursday 17:30.
LATER = "2026-09-22T17:30:00+08:00"


def ask(world, problem, act, **over):
    return act(world.c1_liaison, problem, "extension-request",
               {"new_deadline": LATER, "reason": "需采购井盖", "version": problem.version, **over})


def test_the_unit_asks_and_hq_approves(world, rectifying, act):
    response = ask(world, rectifying, act)
    assert response.status_code == 200, response.content
    assert ProblemExtension.objects.get(problem=rectifying).status == ExtensionStatus.PENDING
    response = act(world.hq, rectifying, "extension-decision", {"approve": True, "note": "同意"})
    assert response.status_code == 200, response.content
    assert datetime.fromisoformat(response.json()["deadline"]) == datetime(2026, 9, 22, 17, 30, tzinfo=TZ)
    p = Problem.objects.get(pk=rectifying.pk)
    assert p.deadline == datetime(2026, 9, 22, 17, 30, tzinfo=TZ) and p.original_deadline != p.deadline
    assert Entry.objects.filter(event="problem.extension_decide", object_id=str(p.pk), actor_id=world.hq.pk).exists()


def test_refusals_change_nothing(world, rectifying, act):
    before = unchanged(rectifying)
    # HQ is not the responsible unit; another district's head does not see the problem.
    assert_error(act(world.hq, rectifying, "extension-request", {"new_deadline": LATER, "reason": "x"}), 403,
                 "forbidden")
    assert_error(ask(world, rectifying, act, reason="  "), 422, "invalid", "延期理由")
    assert_error(ask(world, rectifying, act, new_deadline="2026-09-10T17:30:00+08:00"), 422, "invalid", "应晚于")
    assert_error(ask(world, rectifying, act, version=rectifying.version - 1), 409, "conflict")
    assert_error(act(world.e1_head, rectifying, "extension-request", {"new_deadline": LATER, "reason": "x"}), 404,
                 "not_found")
    assert_error(act(world.hq, rectifying, "extension-decision", {"approve": True}), 422, "invalid", "没有待审批")
    assert unchanged(rectifying) == before and not ProblemExtension.objects.exists()
    ask(world, Problem.objects.get(pk=rectifying.pk), act)
    assert_error(act(world.c1_liaison, rectifying, "extension-decision", {"approve": True}), 403, "forbidden")
    assert_error(act(world.hq, rectifying, "extension-decision", {"approve": False}), 422, "invalid", "须说明理由")
    assert ProblemExtension.objects.get().status == ExtensionStatus.PENDING


def test_hq_replies_in_public(world, pw, act):
    response = act(world.hq, pw.citizen, "reply", {"text": "已安排处理,感谢反映。", "version": pw.citizen.version})
    assert response.status_code == 200, response.content
    assert Problem.objects.get(pk=pw.citizen.pk).public_reply == "已安排处理,感谢反映。"
    assert_error(act(world.c1_liaison, pw.citizen, "reply", {"text": "好"}), 403, "forbidden")
    assert_error(act(world.hq, pw.citizen, "reply", {"text": ""}), 422, "invalid")
