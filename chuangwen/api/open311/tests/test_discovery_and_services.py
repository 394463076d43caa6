"""Discovery, the service list and service definitions, in XML and JSON; unknown formats,
paths and methods."""

import pytest

from chuangwen.api.open311.models import ServiceAttribute
from chuangwen.problems.models import Category

from .conftest import BASE, as_json, as_xml, error_list, valid

pytestmark = pytest.mark.django_db
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def test_discovery_in_json(anon, catalogue):
    body = as_json(anon.get(BASE + "discovery.json"))
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["changeset"].endswith("+08:00") and endpoint["changeset"] == body["changeset"]
    assert "安全管理员" in body["key_service"]


def test_discovery_in_xml(anon, catalogue):
    tree = as_xml(anon.get(BASE + "discovery.xml"), root="discovery")
    assert [e.tag for e in tree] == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = tree.find("endpoints")
    assert endpoint.tag == "endpoint"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"


def test_the_service_list_is_the_active_categories_in_json(anon, catalogue, django_assert_max_num_queries):
    Category.objects.filter(code="SJ0901").update(is_active=False)
    with django_assert_max_num_queries(2):
        body = as_json(anon.get(BASE + "services.json"))
    valid("services", body)
    codes = [s["service_code"] for s in body]
    assert "SJ0901" not in codes and len(codes) == Category.objects.filter(is_active=True).count()
    cover = next(s for s in body if s["service_code"] == "BJ0101")
    assert cover == {
        "service_code": "BJ0101", "service_name": "井盖破损或缺失", "description": cover["description"],
        "metadata": True, "type": "realtime", "keywords": "公用设施,部件", "group": "公用设施",
    }
    assert "2 个工作日" in cover["description"]
    assert next(s for s in body if s["service_code"] == "BJ0102")["metadata"] is False


def test_the_service_list_in_xml(anon, catalogue):
    tree = as_xml(anon.get(BASE + "services.xml"), root="services")
    assert {e.tag for e in tree} == {"service"}
    cover = next(s for s in tree if s.findtext("service_code") == "BJ0101")
    assert [e.tag for e in cover] == ["service_code", "service_name", "description", "metadata", "type",
                                      "keywords", "group"]
    assert cover.findtext("metadata") == "true" and cover.findtext("type") == "realtime"


def test_service_definitions_cover_every_datatype_in_json(anon, catalogue):
    seen = set()
    for code in ("BJ0101", "SJ0103", "BJ0102"):
        body = as_json(anon.get(f"{BASE}services/{code}.json"))
        valid("service-definition", body)
        assert body["service_code"] == code
        seen |= {a["datatype"] for a in body["attributes"]}
        for a in body["attributes"]:
            assert ("values" in a) == (a["datatype"] in ("singlevaluelist", "multivaluelist"))
    assert seen == DATATYPES
    body = as_json(anon.get(BASE + "services/BJ0101.json"))
    (state,) = body["attributes"]
    assert state["required"] is True and state["variable"] is True and state["order"] == 1
    assert {"key": "missing", "name": "缺失"} in state["values"]
    road = as_json(anon.get(BASE + "services/SJ0103.json"))["attributes"]
    assert [a["order"] for a in road] == sorted(a["order"] for a in road)
    assert [a["variable"] for a in road].count(False) == 1


def test_a_service_definition_in_xml(anon, catalogue):
    tree = as_xml(anon.get(BASE + "services/SJ0103.xml"), root="service_definition")
    assert tree.findtext("service_code") == "SJ0103"
    attributes = tree.find("attributes")
    assert {a.tag for a in attributes} == {"attribute"}
    hazards = next(a for a in attributes if a.findtext("code") == "hazards")
    assert [e.tag for e in hazards] == ["variable", "code", "datatype", "required", "datatype_description",
                                        "order", "description", "values"]
    assert [(v.findtext("key"), v.findtext("name")) for v in hazards.find("values")][:2] == [
        ("oil", "油污"), ("litter", "散落垃圾")]
    assert hazards.findtext("required") == "false"


def test_a_category_without_attributes_has_an_empty_definition(anon, catalogue):
    assert as_json(anon.get(BASE + "services/BJ0102.json")) == {"service_code": "BJ0102", "attributes": []}
    tree = as_xml(anon.get(BASE + "services/BJ0102.xml"), root="service_definition")
    assert tree.find("attributes") is not None and len(tree.find("attributes")) == 0


def test_an_inactive_attribute_is_not_shown_and_an_edit_moves_the_changeset(anon, catalogue):
    before = as_json(anon.get(BASE + "discovery.json"))["changeset"]
    attribute = ServiceAttribute.objects.get(code="cover_state")
    attribute.is_active = False
    attribute.updated_at = attribute.updated_at.replace(year=attribute.updated_at.year + 1)
    attribute.save()
    assert as_json(anon.get(BASE + "services/BJ0101.json"))["attributes"] == []
    assert next(s for s in as_json(anon.get(BASE + "services.json")) if s["service_code"] == "BJ0101")[
        "metadata"] is False
    assert as_json(anon.get(BASE + "discovery.json"))["changeset"] > before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["NOPE", "SJ0901-x"])
def test_an_unknown_service_code_is_404(anon, catalogue, fmt, code):
    Category.objects.filter(code="SJ0901").update(is_active=False)
    (error,) = error_list(anon.get(f"{BASE}services/{code}.{fmt}"), fmt, 404)
    assert error[0] == 404 and "service_code was not found" in error[1]


def test_an_inactive_service_is_404(anon, catalogue):
    Category.objects.filter(code="SJ0901").update(is_active=False)
    error_list(anon.get(BASE + "services/SJ0901.json"), "json", 404)


@pytest.mark.parametrize("path, fmt", [
    ("services.html", "xml"), ("services.yaml", "xml"), ("services", "xml"), ("discovery.txt", "xml"),
    ("requests/2026000001.csv", "xml"), ("nothing/here.json", "json"), ("", "xml"),
])
def test_unknown_formats_and_paths_are_404_in_the_specs_shape(anon, path, fmt):
    (error,) = error_list(anon.get(BASE + path), fmt, 404)
    assert error[0] == 404


@pytest.mark.parametrize("path", ["discovery.json", "services.json", "services/BJ0101.json",
                                  "tokens/abc.json",
                                  "requests/2026000001.json"])
def test_writes_to_read_only_endpoints_are_405(anon, catalogue, path):
    response = anon.post(BASE + path, {})
    (error,) = error_list(response, "json", 405)
    assert "GET" in response["Allow"] and "POST" not in response["Allow"]
    assert anon.put(BASE + "requests.json").status_code == 405


def test_reads_are_rate_limited_per_client_address(anon, catalogue, monkeypatch):
    from chuangwen.api.open311 import ratelimit

    monkeypatch.setattr(ratelimit, "READS_PER_MINUTE", 3)
    for _ in range(3):
        assert anon.get(BASE + "discovery.json").status_code == 200
    response = anon.get(BASE + "services.xml")
    (error,) = error_list(response, "xml", 429)
    assert response["Retry-After"] == "60"
    # Another address is counted apart.
    assert anon.get(BASE + "discovery.json", REMOTE_ADDR="192.0.2.99").status_code == 200


def test_an_unexpected_error_is_logged_and_answered_without_details(anon, catalogue, monkeypatch, caplog):
    from chuangwen.api.open311 import selectors

    def boom():
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(selectors, "services_list", boom)
    response = anon.get(BASE + "services.json")
    (error,) = error_list(response, "json", 500)
    assert "SELECT" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "RuntimeError" in caplog.text
