"""Every API operation (enumerated from the OpenAPI document, so new ones are covered) applies
the scope rule: out of scope is 404 for one object (read or write) and absent from lists, and
nothing of another district reaches e1_head; the verb of each kind of operation is needed.
The objects probed come from scope_worlds.py; the few designed exceptions (HQ-only operations,
public rankings) are listed below, each with its reason."""

import json
import re

import pytest

from chuangwen.api.services import token_issue
from chuangwen.api.v1.api import api

from .scope_worlds import (  # noqa: F401 (fixtures)
    communities,
    desk,
    evaluation_world,
    market,
    problem_world,
    rewards_world,
    rules,
    supervision_world,
)

pytestmark = pytest.mark.django_db

# A value for each path parameter: one inside e1_head's district, one outside it.  A new path
# parameter fails `test_every_path_parameter_has_test_values` until it is added here.
IN_SCOPE_OF_E1 = {"code": "Q02-S01", "username": "e1_head", "action": "sign_for"}
OUT_OF_SCOPE_OF_E1 = {"code": "Q01-J01-S01", "username": "c1_head", "action": "sign_for"}
# A detail path may need values of another kind (a group code is not a unit code).
PATH_VALUES = {
    "/api/v1/groups/{code}": {"in_hq": {"code": "G1"}, "out_of_e1": {"code": "G1"}},
}
# The fixture building each router's objects, by path prefix; a test builds only its router's.
WORLDS = {
    "/api/v1/tasks": "task_world", "/api/v1/plans": "task_world", "/api/v1/handovers": "task_world",
    "/api/v1/problem": "problem_world", "/api/v1/supervision/": "supervision_world",
    "/api/v1/evaluation/": "evaluation_world", "/api/v1/rewards/": "rewards_world",
}
# Attribute names of task_world's task and plan inside e1_head's scope (`e1s`, led by e1_head's
# community) and outside it (district D's); the other worlds give their own `values`.
TASK_VALUES = {"in_e1": ("e1s", "plan"), "out_of_e1": ("mine", "d_plan")}
# A valid body for each write, so that what answers is the scope or the verb, not validation.
# A new write fails `test_writes_are_known_and_have_a_body` until it is added here.
SPLIT = {"units": ["Q02-S01"], "deadline": "2026-10-30"}
BODIES = {
    "/api/v1/tasks/{code}/actions/{action}": {},
    "/api/v1/tasks/{code}/updates": {"percent": 10, "text": "进展"},
    "/api/v1/tasks/{code}/handovers": {"summary": "完成"},
    "/api/v1/tasks/{code}/handovers/accept": {"note": "同意"},
    "/api/v1/tasks/{code}/handovers/return": {"reason": "补充材料"},
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
    "/api/v1/problems/{number}/extension-request": {"new_deadline": "2030-01-01T17:30:00+08:00",
                                                     "reason": "采购"},
    "/api/v1/problems/{number}/extension-decision": {"approve": True},
    "/api/v1/problems/{number}/reply": {"text": "已处理"},
    "/api/v1/supervision/instructions": {"leader": "mayor", "date": "2026-09-15", "title": "批示",
                                         "text": "内容"},
    "/api/v1/supervision/instructions/{id}/tasks": SPLIT,
    "/api/v1/supervision/instructions/{id}/close": {"note": "已办结"},
    "/api/v1/supervision/meetings": {"kind": "topic", "date": "2026-09-12", "title": "专题会",
                                     "chair": "mayor"},
    "/api/v1/supervision/meetings/{id}/decisions": {"text": "更新公益广告"},
    "/api/v1/supervision/decisions/{id}/tasks": SPLIT,
    "/api/v1/supervision/decisions/{id}/close": {"note": "已办结"},
    "/api/v1/supervision/visits": {"kind": "joint", "date": "2026-09-14", "title": "联合视察",
                                   "members": "代表10人"},
    "/api/v1/supervision/visits/{id}/findings": {"description": "暴露垃圾", "category": "SJ0101",
                                                 "district": "Q02", "address": "西湖路"},
    "/api/v1/evaluation/periods": {"kind": "month", "start": "2026-08-01"},
    "/api/v1/evaluation/periods/{id}/finalise": {},
    "/api/v1/evaluation/weights/{group}": {"version": 0, "w_tasks": 50, "w_problem_on_time": 50,
                                           "w_rework": 0, "w_handover": 0, "w_mock": 0,
                                           "component_share": 80},
    "/api/v1/evaluation/rules/{code}": {"version": 0, "points": -3},
    "/api/v1/rewards/proposals/{id}/confirm": {},
    "/api/v1/rewards/proposals/{id}/dismiss": {"reason": "排名数据待核实"},
    "/api/v1/rewards/periods/{id}/propose": {},
    "/api/v1/rewards/tasks/propose": {},
}
# Operations whose verb only HQ staff hold (problem.dispatch, supervision.manage,
# evaluation.manage, reward.confirm) and that check it before looking anything up: e1_head is
# refused (403) whether the object is in scope or not, so the answer says nothing of it.  Nobody
# with a narrower scope holds these verbs, so there is no scoped caller to expect a 404 from.
HQ_ONLY = {
    ("/api/v1/problems/desk", "get"),
    ("/api/v1/supervision/instructions", "post"), ("/api/v1/supervision/instructions/{id}/tasks", "post"),
    ("/api/v1/supervision/instructions/{id}/close", "post"), ("/api/v1/supervision/meetings", "post"),
    ("/api/v1/supervision/meetings/{id}/decisions", "post"),
    ("/api/v1/supervision/decisions/{id}/tasks", "post"),
    ("/api/v1/supervision/decisions/{id}/close", "post"),
    ("/api/v1/supervision/visits", "post"), ("/api/v1/supervision/visits/{id}/findings", "post"),
    ("/api/v1/evaluation/periods", "post"), ("/api/v1/evaluation/periods/{id}/finalise", "post"),
    ("/api/v1/evaluation/weights/{group}", "post"), ("/api/v1/evaluation/rules/{code}", "post"),
    ("/api/v1/rewards/proposals", "get"), ("/api/v1/rewards/proposals/{id}", "get"),
    ("/api/v1/rewards/proposals/{id}/confirm", "post"), ("/api/v1/rewards/proposals/{id}/dismiss", "post"),
    ("/api/v1/rewards/periods/{id}/propose", "post"), ("/api/v1/rewards/tasks/propose", "post"),
}
# Reads every business role makes by design, whatever the district: an evaluation period is
# city-wide (no unit's data), its rankings are public to business roles (unit, score, rank only;
# score cards stay scoped: docs/decisions/0011), and the 红黑榜 is the published list.  e1_head
# reads them (200) and sees D's units there; `test_public_reads_show_only_public_fields`.
PUBLIC = {"/api/v1/evaluation/periods/{id}", "/api/v1/evaluation/periods/{id}/rankings/{group}",
          "/api/v1/rewards/periods/{id}/honours"}
# Lists and summaries that name no unit even to HQ (a catalogue, the city-wide periods, the
# scoring configuration, figures by category or by source): nothing of D's to look for there;
# the ledger's figures are checked by `test_supervision_figures_count_only_what_e1_head_sees`.
NO_UNIT_KEYS = {"/api/v1/problems/metrics", "/api/v1/problem-categories", "/api/v1/evaluation/periods",
                "/api/v1/evaluation/config", "/api/v1/supervision/ledger"}
# The parameters a detail repeats in its answer (top level or one object down), where not all.
ECHOES = {"/api/v1/evaluation/periods/{id}/units/{code}/records/{kind}": ("kind",)}
# Known leaks, each failing its one case until the router is fixed (strict: the fix shows).
LEAKS: dict[str, str] = {}
# Names and keys of the world outside e1_head's district: none may appear in e1_head's answers.
OUTSIDE_E1 = ["Q01", "D01", "L01", "C000", "c1_head", "c1_liaison", "mayor", "dept_head", "和平社区",
              "优美环境组", "戊书记", "城东区", "专项整治"]
# The verb each kind of operation needs, by its tag and method (its label is in the refusal).
VERB_LABELS = {
    ("组织机构", "get"): "查看组织机构", ("任务督办", "get"): "查看任务", ("任务督办", "post"): "办理任务",
    # 查看问题, or 上报问题 (POST /problems), or 交办问题 (the desk).
    ("问题整改", "get"): "问题", ("问题整改", "post"): "问题",
    ("督查督办", "get"): "查看督查督办", ("督查督办", "post"): "登记批示、会议与视察",
    ("考评", "get"): "查看考评", ("考评", "post"): "维护考评与定榜",
    ("奖惩", "get"): "查看奖惩", ("奖惩", "post"): "确认奖惩",
    # Proposals are read by their confirmers only (`HQ_ONLY`).
    ("/api/v1/rewards/proposals", "get"): "确认奖惩", ("/api/v1/rewards/proposals/{id}", "get"): "确认奖惩",
}


# Through JSON, as clients read it (status codes become strings).
DOC = json.loads(json.dumps(api.get_openapi_schema()))


def operations():
    return [(path, method) for path, ops in DOC["paths"].items() for method in ops]


def path_params(path):
    return re.findall(r"{(\w+)}", path)


def fill(path, values):
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def answer(path):
    ref = DOC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return ref.split("/")[-1], DOC["components"]["schemas"][ref.split("/")[-1]]


def is_page(path):
    return answer(path)[0].endswith("Page")


OPERATIONS = operations()
READS = [p for p, m in OPERATIONS if m == "get"]
# Lists have `items`; summaries (the ledger, the configuration) are one object of figures.
LISTS = [p for p in READS if not path_params(p) and "items" in answer(p)[1]["properties"]]
SUMMARIES = [p for p in READS if not path_params(p) and p not in LISTS]
DETAILS = [p for p in READS if path_params(p) and not is_page(p)]
# Lists below one object (a task's progress updates and handovers).
SUBLISTS = [p for p in READS if path_params(p) and is_page(p)]
WRITES = [p for p, m in OPERATIONS if m == "post"]
KEYED = [(p, m) for p, m in OPERATIONS if path_params(p)]


def world_of(request, path):
    name = next((n for prefix, n in WORLDS.items() if path.startswith(prefix)), None)
    return request.getfixturevalue(name) if name else None


def leaked(text, request, path):
    """The first sign of D in `text`: OUTSIDE_E1 as substrings, the keys of the path's world's
    out-of-scope objects as whole tokens (a task code is not a prefix of another)."""
    found = world_of(request, path)
    keys = getattr(found, "markers", None)
    if keys is None and found is not None:  # task_world (tasks.tests.conftest)
        keys = [found.mine.code, found.d_only.code]
    hits = [m for m in OUTSIDE_E1 if m in text]
    hits += [k for k in keys or [] if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text, re.ASCII)]
    return hits[0] if hits else None


@pytest.fixture
def values(request, world, today):
    """values(path, which) -> the path parameters; which is "in_e1", "out_of_e1" or "in_hq"."""

    def for_path(path, which):
        found = world_of(request, path)
        if hasattr(found, "values"):
            return found.values(path, which)
        if found is not None:
            names = TASK_VALUES["out_of_e1" if which == "out_of_e1" else "in_e1"]
            task, plan = (getattr(found, name) for name in names)
            return {**IN_SCOPE_OF_E1, "code": task.code, "id": str(plan.pk)}
        if path in PATH_VALUES:
            return PATH_VALUES[path]["out_of_e1" if which == "out_of_e1" else "in_hq"]
        return OUT_OF_SCOPE_OF_E1 if which == "out_of_e1" else IN_SCOPE_OF_E1

    return for_path


def call(client, method, path, token=None):
    """`method` on `path` with the write's body, with `token` if given."""
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, **extra)
    template = next(w for w in WRITES if re.fullmatch(re.sub(r"{\w+}", "[^/]+", w), path))
    return client.post(path, BODIES[template], content_type="application/json", **extra)


def e1_token(world):
    return token_issue(person=world.e1_head, name="测试", actor=world.secadmin)[1]


def text_of(response):
    return json.dumps(response.json(), ensure_ascii=False)


def test_operations_are_enumerated():
    assert len(LISTS) >= 15 and len(DETAILS) >= 15 and len(SUBLISTS) >= 2 and len(SUMMARIES) >= 2
    assert {m for _, m in OPERATIONS} == {"get", "post"}


def test_writes_are_known_and_have_a_body():
    # Each write has its happy path, refusals and mass-assignment test in its router's tests.
    assert set(WRITES) == set(BODIES)


def test_the_exceptions_name_real_operations():
    assert HQ_ONLY <= set(OPERATIONS)
    assert {(p, "get") for p in PUBLIC | NO_UNIT_KEYS | set(ECHOES) | set(LEAKS)} <= set(OPERATIONS)
    assert {k for k in VERB_LABELS if k[0].startswith("/")} <= set(OPERATIONS)


def test_every_path_parameter_has_test_values(world, values):
    for path in DETAILS + SUBLISTS + WRITES:
        for which in ("in_e1", "out_of_e1", "in_hq"):
            assert set(path_params(path)) <= set(values(path, which)), (path, which)


@pytest.mark.parametrize("path,method", KEYED)
def test_out_of_scope_object_is_404_for_reads_and_writes(world, values, client, path, method):
    response = call(client, method, fill(path, values(path, "out_of_e1")), e1_token(world))
    if (path, method) in HQ_ONLY:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "forbidden"
    elif path in PUBLIC:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", DETAILS + SUBLISTS)
def test_out_of_scope_objects_exist_for_hq(world, api_client, values, path):
    """So that e1_head's 404 above is the scope, not a missing object."""
    response = api_client(world.hq)(fill(path, values(path, "out_of_e1")))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path,method", sorted(HQ_ONLY))
def test_hq_only_operations_refuse_e1_head_even_in_scope(world, values, client, path, method):
    response = call(client, method, fill(path, values(path, "in_e1")), e1_token(world))
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "forbidden"


def _echoed(body):
    """The scalar values at the top of an answer and one object down (a period, a unit)."""
    out = set()
    for value in body.values():
        for v in (value.values() if isinstance(value, dict) else [value]):
            if not isinstance(v, dict | list):
                out.add(str(v))
    return out


def _known_leaks(paths):
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=LEAKS[p])) if p in LEAKS else p
            for p in paths]


@pytest.mark.parametrize("path", _known_leaks(DETAILS))
def test_in_scope_detail_is_returned(request, world, api_client, values, path):
    by_hq = path in PATH_VALUES or (path, "get") in HQ_ONLY
    person, which = (world.hq, "in_hq") if by_hq else (world.e1_head, "in_e1")
    filled = values(path, which)
    response = api_client(person)(fill(path, filled))
    assert response.status_code == 200, response.content
    assert {filled[n] for n in ECHOES.get(path, path_params(path))} <= _echoed(response.json())
    if not by_hq and path not in PUBLIC:
        assert leaked(text_of(response), request, path) is None


@pytest.mark.parametrize("path", SUBLISTS)
def test_in_scope_sublist_is_returned(request, world, api_client, values, path):
    response = api_client(world.e1_head)(fill(path, values(path, "in_e1")))
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"items", "next"}
    assert leaked(text_of(response), request, path) is None


@pytest.mark.parametrize("path", LISTS + SUMMARIES)
def test_lists_never_show_out_of_scope_items(request, world, api_client, path):
    world_of(request, path)
    response = api_client(world.e1_head)(path, {"limit": 200})
    assert response.status_code == (403 if (path, "get") in HQ_ONLY else 200)
    assert leaked(text_of(response), request, path) is None


@pytest.mark.parametrize("path", LISTS)
def test_lists_filtered_to_out_of_scope_keys_stay_empty(request, world, api_client, path):
    world_of(request, path)
    task_world = request.getfixturevalue("task_world")
    get = api_client(world.e1_head)
    for params in ({"q": "和平"}, {"parent": "Q01-J01"}, {"unit": "Q01-J01-S01"}, {"q": "c1_head"},
                   {"lead_unit": "Q01"}, {"task": task_world.mine.code}, {"plan": task_world.d_plan.pk},
                   {"district": "Q01"}, {"unit": "Q01"}, {"q": "城东区"}):
        response = get(path, params)
        assert response.status_code == (403 if (path, "get") in HQ_ONLY else 200)
        assert leaked(text_of(response), request, path) is None, params


@pytest.mark.parametrize("path", LISTS + SUMMARIES)
def test_hq_staff_sees_the_data(request, world, api_client, path):
    world_of(request, path)
    response = api_client(world.hq)(path, {"limit": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["items"] if path in LISTS else body
    # D's data is there for HQ, so its absence from e1_head's answer above means something.
    assert (leaked(text_of(response), request, path) is None) == (path in NO_UNIT_KEYS)


def test_supervision_figures_count_only_what_e1_head_sees(world, supervision_world, api_client):
    s = supervision_world
    e1, hq = api_client(world.e1_head), api_client(world.hq)

    def row(get, path, pk):
        [found] = [i for i in get(f"/api/v1/supervision/{path}").json()["items"] if i["id"] == pk]
        return found

    for get, tasks, decisions, findings in ((e1, 1, 1, 1), (hq, 2, 2, 2)):
        assert row(get, "instructions", s.instruction.pk)["task_total"] == tasks
        assert row(get, "meetings", s.meeting.pk)["decision_total"] == decisions
        assert row(get, "visits", s.visit.pk)["finding_total"] == findings
    # The ledger counts e1_head's one instruction, meeting and visit with its one task and one
    # finding; HQ's: two of each, with three tasks and three findings.
    for get, items, parts in ((e1, 1, 1), (hq, 2, 3)):
        totals = {line["key"]: line for line in get("/api/v1/supervision/ledger").json()["totals"]}
        assert [totals[k]["items"] for k in ("instruction", "meeting", "visit")] == [items] * 3
        assert (totals["instruction"]["tasks"], totals["visit"]["problems"]) == (parts, parts)


def test_public_reads_show_only_public_fields(world, evaluation_world, rewards_world, api_client):
    get = api_client(world.e1_head)
    ranking = get(f"/api/v1/evaluation/periods/{evaluation_world.period.pk}/rankings/community").json()
    assert world.community.code in {r["unit"]["code"] for r in ranking["items"]}
    assert all(set(r) == {"rank", "unit", "score", "weighted_score", "rule_points"} for r in ranking["items"])
    honours = get(f"/api/v1/rewards/periods/{rewards_world.desk.sep.pk}/honours").json()
    rows = [r for t in honours["tables"] for r in t["rows"]]
    assert any(world.community.name in r["unit_name"] for r in rows)
    assert all(set(r) == {"rank", "unit_name", "score", "board"} for r in rows)


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_a_role_without_the_verb_is_403(world, values, client, path, method):
    _, token = token_issue(person=world.auditor, name="测试", actor=world.secadmin)
    response = call(client, method, fill(path, values(path, "in_hq")), token)
    assert response.status_code == 403, response.content
    body = response.json()
    [tag] = DOC["paths"][path][method]["tags"]
    label = VERB_LABELS.get((path, method)) or VERB_LABELS[tag, method]
    assert body["error"]["code"] == "forbidden" and label in body["error"]["message"]


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_every_operation_needs_a_token(world, values, client, path, method):
    response = call(client, method, fill(path, values(path, "in_hq")))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
