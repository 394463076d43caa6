"""Every problem operation (enumerated from the OpenAPI document, so new ones are covered)
needs a token and a problem verb, and applies the scope rule: a problem out of scope is 404 for
reads and writes alike, the answer for a number that does not exist, and absent from every list;
a step on a problem in scope without the step's verb is 403."""

import json
import re

import pytest

from chuangwen.api.services import token_issue
from chuangwen.api.v1.api import api
from chuangwen.problems.models import Problem

pytestmark = pytest.mark.django_db

DOC = json.loads(json.dumps(api.get_openapi_schema()))
OPERATIONS = [(path, method) for path, ops in DOC["paths"].items() for method in ops if "/problem" in path]
KEYED = [(p, m) for p, m in OPERATIONS if "{number}" in p]
LISTS = [p for p, m in OPERATIONS if m == "get" and "{" not in p]
# A valid body for each write, so that what answers is the scope or the verb, not validation.
BODIES = {
    "/api/v1/problems": {"source": "inspection", "category": "SJ0101", "description": "暴露垃圾"},
    "/api/v1/problems/{number}/assign": {},
    "/api/v1/problems/{number}/accept": {},
    "/api/v1/problems/{number}/return": {"reason": "非本单位职责"},
    "/api/v1/problems/{number}/submit": {"note": "已清理"},
    "/api/v1/problems/{number}/recheck": {"passed": True},
    "/api/v1/problems/{number}/park-request": {"reason": "需改造"},
    "/api/v1/problems/{number}/park-decision": {"approve": True},
    "/api/v1/problems/{number}/unpark": {},
    "/api/v1/problems/{number}/void": {"reason": "无效"},
    "/api/v1/problems/{number}/merge": {"into": "2026000001"},
    "/api/v1/problems/{number}/extension-request": {"new_deadline": "2030-01-01T17:30:00+08:00", "reason": "采购"},
    "/api/v1/problems/{number}/extension-decision": {"approve": True},
    "/api/v1/problems/{number}/reply": {"text": "已处理"},
}
# The steps on a problem that only HQ (problem.dispatch) or checkers (problem.recheck) take.
NOT_THE_UNITS = [p for p, m in KEYED if m == "post" and p.rsplit("/", 1)[-1] in
                 {"assign", "recheck", "park-decision", "unpark", "void", "merge", "extension-decision", "reply"}]
# 西湖社区's head must never read these (C1's and district D's problems, names and places).
OUTSIDE_E1 = ["和平社区", "城东区", "解放路", "和平路", "Q01", "戊书记"]


def call(client, method, path, token=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, **extra)
    template = next(w for w in BODIES if re.fullmatch(re.sub(r"{\w+}", "[^/]+", w), path))
    return client.post(path, BODIES[template], content_type="application/json", **extra)


def token(world, person):
    return token_issue(person=person, name="测试", actor=world.secadmin)[1]


def test_operations_are_enumerated_and_every_write_has_a_body():
    assert len(OPERATIONS) == 19 and len(LISTS) == 4 and len(NOT_THE_UNITS) == 8
    assert {p for p, m in OPERATIONS if m == "post"} == set(BODIES)


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_every_operation_needs_a_token(world, pw, client, path, method):
    response = call(client, method, path.replace("{number}", pw.c1.number))
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_a_role_without_problem_verbs_is_403(world, pw, client, path, method):
    before = Problem.objects.count(), Problem.objects.get(pk=pw.new.pk).version
    response = call(client, method, path.replace("{number}", pw.new.number), token(world, world.auditor))
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "forbidden" and "问题" in response.json()["error"]["message"]
    assert (Problem.objects.count(), Problem.objects.get(pk=pw.new.pk).version) == before


@pytest.mark.parametrize("path,method", KEYED)
def test_out_of_scope_is_404_for_reads_and_writes_like_no_such_problem(world, pw, client, path, method):
    e1_token = token(world, world.e1_head)
    before = Problem.objects.get(pk=pw.c1.pk).version
    answers = [call(client, method, path.replace("{number}", number), e1_token)
               for number in (pw.c1.number, pw.new.number, "2026999999")]
    assert [r.status_code for r in answers] == [404] * 3
    assert len({r.content for r in answers}) == 1
    assert Problem.objects.get(pk=pw.c1.pk).version == before


@pytest.mark.parametrize("path", NOT_THE_UNITS)
def test_in_scope_without_the_steps_verb_is_403(world, pw, client, path):
    # e1_head sees E1's problem, but holds neither problem.dispatch nor problem.recheck.
    before = Problem.objects.get(pk=pw.e1.pk).version
    response = call(client, "post", path.replace("{number}", pw.e1.number), token(world, world.e1_head))
    assert response.status_code == 403, response.content
    assert Problem.objects.get(pk=pw.e1.pk).version == before


@pytest.mark.parametrize("path", LISTS)
def test_lists_never_show_out_of_scope_problems(world, pw, api_client, path):
    response = api_client(world.e1_head)(path, {"limit": 200})
    text = json.dumps(response.json(), ensure_ascii=False)
    for marker in (pw.c1.number, pw.new.number, pw.citizen.number, *OUTSIDE_E1):
        assert marker not in text, (path, marker)


@pytest.mark.parametrize("path", LISTS)
def test_lists_filtered_to_out_of_scope_keys_stay_empty(world, pw, api_client, path):
    get = api_client(world.c1_liaison)
    for params in ({"district": "Q02"}, {"unit": "Q02"}, {"q": pw.e1.number}, {"unit": "Q02-S01"}):
        text = json.dumps(get(path, params).json(), ensure_ascii=False)
        assert pw.e1.number not in text and "西湖" not in text, (path, params)
