"""Keyset pagination and the OpenAPI document."""

import json

import pytest

from chuangwen.api.v1.api import api
from chuangwen.api.v1.idempotency import KEY_PARAMETER
from chuangwen.api.v1.pagination import MAX_LIMIT, encode_cursor
from chuangwen.org import selectors
from chuangwen.org import services as org
from chuangwen.org.models import UnitKind

pytestmark = pytest.mark.django_db


def test_walking_all_pages_returns_every_visible_unit_once(world, api_client, django_assert_max_num_queries):
    get = api_client(world.hq)
    get("/api/v1/units")  # first call touches last_used_at; later pages are pure reads
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"after": cursor} if cursor else {})}
        with django_assert_max_num_queries(4):
            body = get("/api/v1/units", params).json()
        assert len(body["items"]) <= 2
        seen += [u["code"] for u in body["items"]]
        pages += 1
        cursor = body["next"]
        if not cursor:
            break
    expected = list(selectors.units_visible_to(world.hq).order_by("path").values_list("code", flat=True))
    assert seen == expected and len(set(seen)) == len(seen)
    assert pages == -(-len(expected) // 2)


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/people", "/api/v1/posts", "/api/v1/linkages",
                                  "/api/v1/groups"])
def test_list_pages_take_a_bounded_number_of_queries(world, api_client, django_assert_max_num_queries, path):
    for i in range(30):
        org.unit_create(code=f"X{i:02}", name=f"新单位{i}", kind=UnitKind.SUBORDINATE, parent=world.dept)
    get = api_client(world.hq)
    get(path)
    with django_assert_max_num_queries(5):
        assert get(path, {"limit": 200}).status_code == 200


@pytest.mark.parametrize("cursor", ["garbage!!", "bm90IGpzb24", encode_cursor({"a": 1}), encode_cursor([1]),
                                    encode_cursor("a\x00b"), encode_cursor(2**80),
                                    encode_cursor(True), "%%%"])
def test_a_garbage_cursor_is_422_in_the_error_shape(world, api_client, cursor):
    get = api_client(world.hq)
    for path in ("/api/v1/units", "/api/v1/posts"):
        response = get(path, {"after": cursor})
        assert response.status_code == 422, (path, cursor, response.content)
        assert response.json()["error"]["code"] == "invalid"
        assert response.json()["error"]["message"]


def test_a_cursor_of_the_wrong_kind_is_422(world, api_client):
    get = api_client(world.hq)
    assert get("/api/v1/units", {"after": encode_cursor(12)}).status_code == 422
    assert get("/api/v1/posts", {"after": encode_cursor("/00000001/")}).status_code == 422
    assert get("/api/v1/posts", {"after": encode_cursor(-1)}).status_code == 422


def test_limit_is_capped_at_200(world, api_client):
    for i in range(MAX_LIMIT + 5):
        org.unit_create(code=f"Y{i:03}", name=f"单位{i}", kind=UnitKind.SUBORDINATE, parent=world.dept)
    body = api_client(world.hq)("/api/v1/units", {"limit": 10_000}).json()
    assert len(body["items"]) == MAX_LIMIT and body["next"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "x"}, {"level": 9}, {"level": 10**30},
                                    {"q": "a\x00b"}, {"q": "x" * 51}])
def test_bad_parameters_are_422_not_500(world, api_client, params):
    path = "/api/v1/linkages" if "level" in params else "/api/v1/units"
    response = api_client(world.hq)(path, params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_nul_in_a_path_key_is_404(world, api_client):
    assert api_client(world.hq)("/api/v1/units/a%00b").status_code == 404


def test_openapi_document_lists_every_endpoint_and_the_bearer_scheme(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    schemes = doc["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    # Every operation the API routes is in the document (and nothing else is).
    routed = {
        (prefix + path_view_path, method.lower())
        for prefix, router in api._routers
        for path_view_path, path_view in router.path_operations.items()
        for op in path_view.operations
        for method in op.methods
    }
    documented = {(path.removeprefix("/api/v1"), method) for path, ops in doc["paths"].items() for method in ops}
    assert routed == documented
    for ops in doc["paths"].values():
        for method, op in ops.items():
            assert op["security"] == [{name: []} for name in schemes]
            assert {"401", "403", "404", "422"} <= set(op["responses"])
            assert {"200", "201"} & set(op["responses"])
            if method != "get":
                # A write may meet a stale version (or a retry of itself still running).
                assert "409" in op["responses"]
            # Every POST takes the optional Idempotency-Key header; a GET needs none.
            assert (KEY_PARAMETER in op.get("parameters", [])) == (method == "post")
            for status, response in op["responses"].items():
                if status >= "400":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
