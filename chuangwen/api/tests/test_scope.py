"""Every API operation (enumerated from the OpenAPI document, so new ones are covered) applies
the scope rule: out of scope is 404 for one object and absent from lists; org.view is needed."""

import json
import re

import pytest

from chuangwen.api.v1.api import api

pytestmark = pytest.mark.django_db

# A value for each path parameter: one inside e1_head's district, one outside it.  A new path
# parameter fails `test_every_path_parameter_has_test_values` until it is added here.
IN_SCOPE_OF_E1 = {"code": "Q02-S01", "username": "e1_head"}
OUT_OF_SCOPE_OF_E1 = {"code": "Q01-J01-S01", "username": "c1_head"}
# A detail path may need values of another kind (a group code is not a unit code).
PATH_VALUES = {
    "/api/v1/groups/{code}": {"in_hq": {"code": "G1"}, "out_of_e1": {"code": "G1"}},
}
# Names and keys of the world outside e1_head's district: none may appear in e1_head's answers.
OUTSIDE_E1 = ["Q01", "D01", "L01", "C000", "c1_head", "c1_liaison", "mayor", "dept_head", "和平社区", "优美环境组",
              "戊书记", "城东区"]


def operations():
    doc = api.get_openapi_schema()
    return [(path, method) for path, ops in doc["paths"].items() for method in ops]


def path_params(path):
    return re.findall(r"{(\w+)}", path)


def fill(path, values):
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


OPERATIONS = operations()
LISTS = [p for p, _ in OPERATIONS if not path_params(p)]
DETAILS = [p for p, _ in OPERATIONS if path_params(p)]


def test_operations_are_enumerated_and_all_are_reads():
    assert len(LISTS) >= 5 and len(DETAILS) >= 3
    # Writes would need their own B3 tests (no mass assignment): fail loudly when one appears.
    assert {m for _, m in OPERATIONS} == {"get"}


def test_every_path_parameter_has_test_values():
    for path in DETAILS:
        for name in path_params(path):
            assert name in IN_SCOPE_OF_E1 and name in OUT_OF_SCOPE_OF_E1, (path, name)


@pytest.mark.parametrize("path", DETAILS)
def test_out_of_scope_detail_is_404(world, api_client, path):
    values = PATH_VALUES.get(path, {}).get("out_of_e1", OUT_OF_SCOPE_OF_E1)
    response = api_client(world.e1_head)(fill(path, values))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", DETAILS)
def test_in_scope_detail_is_returned(world, api_client, path):
    if path in PATH_VALUES:
        person, values = world.hq, PATH_VALUES[path]["in_hq"]
    else:
        person, values = world.e1_head, IN_SCOPE_OF_E1
    response = api_client(person)(fill(path, values))
    assert response.status_code == 200, response.content
    assert {values[n] for n in path_params(path)} <= set(map(str, response.json().values()))


@pytest.mark.parametrize("path", LISTS)
def test_lists_never_show_out_of_scope_items(world, api_client, path):
    get = api_client(world.e1_head)
    text = json.dumps(get(path, {"limit": 200}).json(), ensure_ascii=False)
    for marker in OUTSIDE_E1:
        assert marker not in text, (path, marker)


@pytest.mark.parametrize("path", LISTS)
def test_lists_filtered_to_out_of_scope_keys_stay_empty(world, api_client, path):
    get = api_client(world.e1_head)
    for params in ({"q": "和平"}, {"parent": "Q01-J01"}, {"unit": "Q01-J01-S01"}, {"q": "c1_head"}):
        response = get(path, params)
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False)
        assert not any(m in text for m in OUTSIDE_E1), (path, params)


@pytest.mark.parametrize("path", LISTS)
def test_hq_staff_sees_the_data(world, api_client, path):
    response = api_client(world.hq)(path, {"limit": 200})
    assert response.status_code == 200
    assert response.json()["items"]


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_a_role_without_org_view_is_403(world, api_client, path, method):
    response = api_client(world.auditor)(fill(path, {**OUT_OF_SCOPE_OF_E1, **PATH_VALUES.get(path, {}).get("in_hq", {})}))
    assert response.status_code == 403
    body = response.json()
    assert body["error"]["code"] == "forbidden" and "查看组织机构" in body["error"]["message"]


@pytest.mark.parametrize("path,method", OPERATIONS)
def test_every_operation_needs_a_token(world, client, path, method):
    response = client.get(fill(path, {**OUT_OF_SCOPE_OF_E1, **PATH_VALUES.get(path, {}).get("in_hq", {})}))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
