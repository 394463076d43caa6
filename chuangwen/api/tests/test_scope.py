"""Every API operation (enumerated from the OpenAPI document, so new ones are covered) applies
the scope rule: out of scope is 404 for one object (read or write) and absent from lists; the
verb (org.view, task.view, task.work) is needed."""

import json
import re

import pytest

from chuangwen.api.services import token_issue
from chuangwen.api.v1.api import api

pytestmark = pytest.mark.django_db

# A value for each path parameter: one inside e1_head's district, one outside it.  A new path
# parameter fails `test_every_path_parameter_has_test_values` until it is added here.
IN_SCOPE_OF_E1 = {"code": "Q02-S01", "username": "e1_head", "action": "sign_for"}
OUT_OF_SCOPE_OF_E1 = {"code": "Q01-J01-S01", "username": "c1_head", "action": "sign_for"}
# A detail path may need values of another kind (a group code is not a unit code).
PATH_VALUES = {
    "/api/v1/groups/{code}": {"in_hq": {"code": "G1"}, "out_of_e1": {"code": "G1"}},
}
# Plans and tasks come from the `task_world` fixture: attribute names of the task and the plan
# inside e1_head's scope (`e1s`, led by e1_head's community) and outside it (district D's).
TASK_PATHS = ("/api/v1/tasks/", "/api/v1/plans/")
TASK_VALUES = {"in_e1": ("e1s", "plan"), "out_of_e1": ("mine", "d_plan")}
# A valid body for each write, so that what answers is the scope or the verb, not validation.
# A new write fails `test_writes_are_known_and_have_a_body` until it is added here.
BODIES = {
    "/api/v1/tasks/{code}/actions/{action}": {},
    "/api/v1/tasks/{code}/updates": {"percent": 10, "text": "进展"},
    "/api/v1/tasks/{code}/handovers": {"summary": "完成"},
    "/api/v1/tasks/{code}/handovers/accept": {"note": "同意"},
    "/api/v1/tasks/{code}/handovers/return": {"reason": "补充材料"},
}
# Names and keys of the world outside e1_head's district: none may appear in e1_head's answers.
OUTSIDE_E1 = ["Q01", "D01", "L01", "C000", "c1_head", "c1_liaison", "mayor", "dept_head", "和平社区",
              "优美环境组", "戊书记", "城东区", "专项整治"]
# The verb each kind of operation needs, by its tag and method (its label is in the refusal).
VERB_LABELS = {
    ("组织机构", "get"): "查看组织机构", ("任务督办", "get"): "查看任务", ("任务督办", "post"): "办理任务",
}


# Through JSON, as clients read it (status codes become strings).
DOC = json.loads(json.dumps(api.get_openapi_schema()))


def operations():
    return [(path, method) for path, ops in DOC["paths"].items() for method in ops]


def path_params(path):
    return re.findall(r"{(\w+)}", path)


def fill(path, values):
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def is_page(path):
    ref = DOC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return ref.endswith("Page")


OPERATIONS = operations()
READS = [p for p, m in OPERATIONS if m == "get"]
LISTS = [p for p in READS if not path_params(p)]
DETAILS = [p for p in READS if path_params(p) and not is_page(p)]
# Lists below one object (a task's progress updates and handovers).
SUBLISTS = [p for p in READS if path_params(p) and is_page(p)]
WRITES = [p for p, m in OPERATIONS if m == "post"]
KEYED = [(p, m) for p, m in OPERATIONS if path_params(p)]


@pytest.fixture
def values(world, task_world):
    """values(path, which) -> the path parameters; which is "in_e1", "out_of_e1" or "in_hq"."""

    def for_path(path, which):
        if path.startswith(TASK_PATHS):
            names = TASK_VALUES["out_of_e1" if which == "out_of_e1" else "in_e1"]
            task, plan = (getattr(task_world, name) for name in names)
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


def test_operations_are_enumerated():
    assert len(LISTS) >= 8 and len(DETAILS) >= 5 and len(SUBLISTS) >= 2
    assert {m for _, m in OPERATIONS} == {"get", "post"}


def test_writes_are_known_and_have_a_body():
    # Each write has its happy path, refusals and mass-assignment test in test_tasks_api.py.
    assert set(WRITES) == set(BODIES)


def test_every_path_parameter_has_test_values(world, values):
    for path in DETAILS + SUBLISTS + WRITES:
        for which in ("in_e1", "out_of_e1", "in_hq"):
            assert set(path_params(path)) <= set(values(path, which)), (path, which)


@pytest.mark.parametrize("path,method", KEYED)
def test_out_of_scope_object_is_404_for_reads_and_writes(world, values, client, path, method):
    _, token = token_issue(person=world.e1_head, name="测试", actor=world.secadmin)
    response = call(client, method, fill(path, values(path, "out_of_e1")), token)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", DETAILS)
def test_in_scope_detail_is_returned(world, api_client, values, path):
    person, which = (world.hq, "in_hq") if path in PATH_VALUES else (world.e1_head, "in_e1")
    filled = values(path, which)
    response = api_client(person)(fill(path, filled))
    assert response.status_code == 200, response.content
    assert {filled[n] for n in path_params(path)} <= set(map(str, response.json().values()))


@pytest.mark.parametrize("path", SUBLISTS)
def test_in_scope_sublist_is_returned(world, api_client, values, path):
    response = api_client(world.e1_head)(fill(path, values(path, "in_e1")))
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"items", "next"}


@pytest.mark.parametrize("path", LISTS)
def test_lists_never_show_out_of_scope_items(world, task_world, api_client, path):
    get = api_client(world.e1_head)
    text = json.dumps(get(path, {"limit": 200}).json(), ensure_ascii=False)
    for marker in OUTSIDE_E1:
        assert marker not in text, (path, marker)


@pytest.mark.parametrize("path", LISTS)
def test_lists_filtered_to_out_of_scope_keys_stay_empty(world, task_world, api_client, path):
    get = api_client(world.e1_head)
    for params in ({"q": "和平"}, {"parent": "Q01-J01"}, {"unit": "Q01-J01-S01"}, {"q": "c1_head"},
                   {"lead_unit": "Q01"}, {"task": task_world.mine.code}, {"plan": task_world.d_plan.pk}):
        response = get(path, params)
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False)
        assert not any(m in text for m in OUTSIDE_E1), (path, params)


@pytest.mark.parametrize("path", LISTS)
def test_hq_staff_sees_the_data(world, task_world, api_client, path):
    response = api_client(world.hq)(path, {"limit": 200})
    assert response.status_code == 200
    assert response.json()["items"]


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_a_role_without_the_verb_is_403(world, values, client, path, method):
    _, token = token_issue(person=world.auditor, name="测试", actor=world.secadmin)
    response = call(client, method, fill(path, values(path, "in_hq")), token)
    assert response.status_code == 403, response.content
    body = response.json()
    [tag] = DOC["paths"][path][method]["tags"]
    assert body["error"]["code"] == "forbidden" and VERB_LABELS[tag, method] in body["error"]["message"]


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_every_operation_needs_a_token(world, values, client, path, method):
    response = call(client, method, fill(path, values(path, "in_hq")))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
