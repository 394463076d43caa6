import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema_rs
import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from lxml import etree

from chuangwen.api.open311.catalogue import ensure_attributes
from chuangwen.api.open311.models import ServiceAttribute
from chuangwen.api.open311.services import key_issue
from chuangwen.problems.catalogue import ensure_catalogue
from chuangwen.problems.models import Category, TimeLimit

TZ = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-09-16, 10:00 in Shanghai.
NOW = datetime(2026, 9, 16, 10, 0, tzinfo=TZ)
BASE = "/open311/v2/"
SCHEMAS = Path(__file__).parent / "schemas"
SCHEMA_BASE = "https://schemas.open311.test/georeport-v2/"
# A point in the city (WGS-84).
LAT, LONG = "28.2282", "112.9388"


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The per-address counters live in the cache: each test starts with none."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def catalogue(db):
    """The categories, time limits and seeded attributes (a transactional test's flush takes the
    migrations' rows, so they are ensured again)."""
    ensure_catalogue(Category, TimeLimit)
    ensure_attributes(Category, ServiceAttribute)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def issued(world, catalogue):
    """(key, plaintext) for the city-wide 12345 hotline."""
    return key_issue(name="上川市12345热线", actor=world.secadmin)


@pytest.fixture
def api_key(issued):
    return issued[1]


@pytest.fixture
def anon():
    return Client()


def _retrieve(uri: str):
    name = uri.rsplit("/", 1)[-1]
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validator(schema):
    return jsonschema_rs.validator_for(schema, retriever=_retrieve, base_uri=SCHEMA_BASE,
                                       validate_formats=True)


VALIDATORS = {name: _validator(_retrieve(name + ".json"))
              for name in ("services", "service", "service-definition", "requests", "request")}
_SWAGGER = _retrieve("swagger.json")["definitions"]
VALIDATORS["post"] = _validator({"type": "array", "minItems": 1, "items": _SWAGGER["RequestResponse"]})
VALIDATORS["token"] = _validator({"type": "array", "minItems": 1, "items": _SWAGGER["TokenResponse"]})


def valid(schema: str, data) -> None:
    """Assert `data` validates against the published schema `schema`, listing every error."""
    errors = [f"{e.instance_path}: {e.message}" for e in VALIDATORS[schema].iter_errors(data)]
    assert errors == [], errors


def as_json(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def as_xml(response, status: int = 200, root: str | None = None):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    tree = etree.fromstring(response.content)
    assert tree.nsmap == {}  # no namespace, no foreign tags
    if root:
        assert tree.tag == root
    return tree


def error_list(response, fmt: str, status: int) -> list[tuple[int, str]]:
    """The spec's error body, checked in its format, as [(code, description)]."""
    if fmt == "json":
        body = as_json(response, status)
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} for e in body)
        return [(e["code"], e["description"]) for e in body]
    tree = as_xml(response, status, root="errors")
    assert [e.tag for e in tree] == ["error"] * len(tree) and len(tree)
    return [(int(e.findtext("code")), e.findtext("description")) for e in tree]


def post_data(api_key: str, **fields) -> dict:
    data = {"api_key": api_key, "service_code": "SJ0101", "lat": LAT, "long": LONG,
            "description": "绿地旁暴露垃圾一堆", "address_string": "和平路12号"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}
