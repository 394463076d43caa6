"""GET /requests, GET /requests/{id} and GET /tokens/{token}: public fields only, the status
mapping as the rectification loop moves a problem, every filter and the spec's default limits."""

import re
from datetime import timedelta

import pytest

from chuangwen.api.open311 import selectors
from chuangwen.api.open311.models import Open311Request
from chuangwen.problems import services as problems
from chuangwen.problems.models import Category, Problem, Source

from .conftest import BASE, NOW, as_json, as_xml, error_list, post_data, valid

pytestmark = pytest.mark.django_db
W3C_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
          "expected_datetime", "address", "address_id", "lat", "long"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def post(anon, api_key, **fields) -> Problem:
    body = as_json(anon.post(BASE + "requests.json", post_data(api_key, **fields)))
    return Problem.objects.get(number=body[0]["service_request_id"])


def citizen(category_code="SJ0101", **kwargs) -> Problem:
    return problems.problem_report(source=Source.CITIZEN, category=Category.objects.get(code=category_code),
                                   description=kwargs.pop("description", "路边垃圾"), **kwargs)


def photo():
    from chuangwen.attachments.tests.samples import png_bytes, upload

    return upload("整改后.png", png_bytes(), "image/png")


def get_json(anon, path, params=None, schema="requests"):
    body = as_json(anon.get(BASE + path, params or {}))
    valid(schema, body)
    return body


def numbers(body) -> list[str]:
    return [r["service_request_id"] for r in body]


# --- one request, both formats ---------------------------------------------------------------


def test_a_request_in_json_carries_public_fields_with_local_dates(anon, api_key, now):
    problem = post(anon, api_key)
    (item,) = get_json(anon, f"requests/{problem.number}.json")
    valid("request", item)
    absent = ("agency_responsible", "expected_datetime", "address_id")
    assert list(item) == [f for f in FIELDS if f not in absent]
    assert item["service_request_id"] == problem.number and item["status"] == "open"
    assert item["status_notes"] == "已受理,待交办"
    assert item["service_code"] == "SJ0101" and item["service_name"] == "暴露垃圾"
    assert item["requested_datetime"] == item["updated_datetime"] == "2026-09-16T10:00:00+08:00"
    assert (item["lat"], item["long"]) == (28.2282, 112.9388)
    assert item["address"] == "和平路12号"


def test_a_request_in_xml_is_still_wrapped(anon, api_key, now):
    problem = post(anon, api_key)
    tree = as_xml(anon.get(f"{BASE}requests/{problem.number}.xml"), root="service_requests")
    (request,) = tree
    assert request.tag == "request"
    assert request.findtext("service_request_id") == problem.number and request.findtext("status") == "open"
    assert request.findtext("requested_datetime") == "2026-09-16T10:00:00+08:00"
    assert request.find("media_url") is None and request.find("expected_datetime") is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_internal_request_is_404(anon, world, catalogue, now, fmt):
    inspection = problems.problem_report(source=Source.INSPECTION, category=catalogue["SJ0101"],
                                         description="督查发现", actor=world.inspector)
    for number in ("2026999999", inspection.number, "x" * 40):
        (error,) = error_list(anon.get(f"{BASE}requests/{number}.{fmt}"), fmt, 404)
        assert error[0] == 404


# --- the status mapping along the loop -------------------------------------------------------


def test_status_follows_the_loop_until_closed_with_notes(anon, api_key, world, now, time_machine):
    problem = post(anon, api_key)

    def item():
        (found,) = get_json(anon, f"requests/{problem.number}.json")
        return found

    time_machine.move_to(NOW + timedelta(minutes=30), tick=False)
    p = problems.problem_assign(problem=problem, actor=world.hq, unit=world.community)
    assigned = item()
    assert assigned["status"] == "open" and assigned["agency_responsible"] == "和平社区"
    assert assigned["status_notes"] == "已交办责任单位:交办至和平社区"
    assert assigned["updated_datetime"] == "2026-09-16T10:30:00+08:00"
    # 暴露垃圾, normal: 1 working day -> close of Thursday the 17th.
    assert assigned["expected_datetime"] == "2026-09-17T17:30:00+08:00"

    p = problems.problem_accept(problem=p, actor=world.c1_liaison)
    assert item()["status_notes"] == "整改中"
    time_machine.move_to(NOW + timedelta(hours=3), tick=False)
    p = problems.problem_submit(problem=p, actor=world.c1_liaison, photos=[photo()], note="已清理")
    assert item()["status_notes"] == "整改完成,待复查:已清理"
    time_machine.move_to(NOW + timedelta(hours=5), tick=False)
    p = problems.problem_recheck(problem=p, actor=world.inspector, passed=True, note="已整改到位")
    closed = item()
    assert closed["status"] == "closed" and closed["status_notes"] == "已整改销号:已整改到位"
    assert closed["updated_datetime"] == "2026-09-16T15:00:00+08:00" and "expected_datetime" not in closed
    assert closed["agency_responsible"] == "和平社区"
    tree = as_xml(anon.get(f"{BASE}requests/{problem.number}.xml"))
    assert tree.findtext("request/status") == "closed"
    assert tree.findtext("request/status_notes") == "已整改销号:已整改到位"


def test_rework_and_void_read_as_open_and_closed(anon, api_key, world, now):
    problem = post(anon, api_key)
    p = problems.problem_assign(problem=problem, actor=world.hq, unit=world.community)
    p = problems.problem_accept(problem=p, actor=world.c1_head)
    p = problems.problem_submit(problem=p, actor=world.c1_head, photos=[photo()])
    problems.problem_recheck(problem=p, actor=world.inspector, passed=False, note="仍有残留")
    (item,) = get_json(anon, f"requests/{problem.number}.json")
    assert (item["status"], item["status_notes"]) == ("open", "复查未通过,返工整改:仍有残留")

    other = post(anon, api_key)
    problems.problem_void(problem=other, actor=world.hq, reason="重复上报")
    (item,) = get_json(anon, f"requests/{other.number}.json")
    assert (item["status"], item["status_notes"]) == ("closed", "已作废:重复上报")


def test_a_public_reply_is_the_status_note(anon, api_key, now):
    problem = post(anon, api_key)
    Problem.objects.filter(pk=problem.pk).update(public_reply="感谢反馈,已安排清运。")
    (item,) = get_json(anon, f"requests/{problem.number}.json")
    assert item["status_notes"] == "已受理,待交办:感谢反馈,已安排清运。"


# --- no personal data ------------------------------------------------------------------------


def test_no_personal_data_or_staff_names_leave(anon, api_key, world, now):
    problem = post(anon, api_key, first_name="三", last_name="张", phone="13812345678", email="zs@example.com",
                   description="请联系我 13812345678")
    p = problems.problem_assign(problem=problem, actor=world.hq, unit=world.community)
    problems.problem_accept(problem=p, actor=world.c1_liaison)
    leaked = []
    for path in (f"requests/{problem.number}.json", f"requests/{problem.number}.xml", "requests.json",
                 "requests.xml"):
        text = anon.get(BASE + path).content.decode()
        assert problem.number in text
        for secret in ("13812345678", "张三", "zs@example.com", world.c1_head.full_name,
                       world.c1_liaison.full_name, world.hq.full_name, problem.tracking_code, api_key):
            if secret in text:
                leaked.append((path, secret))
        assert "138****5678" in text
    assert leaked == []


# --- the list: filters and limits ------------------------------------------------------------


def test_the_list_shows_public_reports_newest_first_in_both_formats(anon, api_key, world, now, time_machine):
    first = post(anon, api_key)
    time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
    hotline = problems.problem_report(source=Source.HOTLINE, category=Category.objects.get(code="BJ0102"),
                                      description="路灯不亮", actor=world.hq)
    problems.problem_report(source=Source.INSPECTION, category=Category.objects.get(code="BJ0102"),
                            description="督查发现", actor=world.inspector)
    body = get_json(anon, "requests.json")
    assert numbers(body) == [hotline.number, first.number]
    tree = as_xml(anon.get(BASE + "requests.xml"), root="service_requests")
    assert [r.findtext("service_request_id") for r in tree] == [hotline.number, first.number]
    assert {r.tag for r in tree} == {"request"}


def test_the_list_costs_a_fixed_number_of_queries(anon, api_key, now, django_assert_max_num_queries):
    for _ in range(5):
        post(anon, api_key)
    with django_assert_max_num_queries(2):
        assert len(get_json(anon, "requests.json")) == 5


def test_the_default_window_is_the_last_90_days(anon, catalogue, now, time_machine):
    assert selectors.WINDOW_DAYS == 90 and selectors.MAX_REQUESTS == 1000
    time_machine.move_to(NOW - timedelta(days=91), tick=False)
    old = citizen()
    time_machine.move_to(NOW - timedelta(days=89), tick=False)
    recent = citizen()
    time_machine.move_to(NOW, tick=False)
    assert numbers(get_json(anon, "requests.json")) == [recent.number]
    # An old one is still reachable by id (ids override the window), and by its own window.
    assert numbers(get_json(anon, "requests.json", {"service_request_id": old.number})) == [old.number]
    start = (NOW - timedelta(days=95)).isoformat()
    assert numbers(get_json(anon, "requests.json", {"start_date": start})) == [recent.number, old.number]


def test_the_default_limit_is_1000_requests(anon, catalogue, now, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_REQUESTS", 3)
    made = [citizen() for _ in range(4)]
    assert numbers(get_json(anon, "requests.json")) == [p.number for p in made[::-1][:3]]


def test_pages_within_the_limit(anon, catalogue, now):
    made = [citizen() for _ in range(5)][::-1]
    assert numbers(get_json(anon, "requests.json", {"page_size": 2})) == [p.number for p in made[:2]]
    assert numbers(get_json(anon, "requests.json", {"page_size": 2, "page": 3})) == [made[4].number]
    assert get_json(anon, "requests.json", {"page_size": 2, "page": 4}) == []


def test_service_request_ids_override_every_other_parameter(anon, world, catalogue, now):
    a, b = citizen(), citizen("BJ0102")
    citizen()
    problems.problem_void(problem=b, actor=world.hq, reason="重复")
    body = get_json(anon, "requests.json", {"service_request_id": f"{a.number}, {b.number},nope",
                                            "status": "open", "service_code": "SJ0101",
                                            "start_date": "2020-01-01T00:00:00Z"})
    assert sorted(numbers(body)) == sorted([a.number, b.number])


def test_filters_by_service_code_and_status(anon, world, catalogue, now):
    a, b, c = citizen(), citizen("BJ0102"), citizen("SJ0103")
    problems.problem_void(problem=a, actor=world.hq, reason="重复")
    assert numbers(get_json(anon, "requests.json", {"service_code": "BJ0102,SJ0103"})) == [c.number, b.number]
    assert numbers(get_json(anon, "requests.json", {"status": "closed"})) == [a.number]
    assert numbers(get_json(anon, "requests.json", {"status": "open"})) == [c.number, b.number]
    assert len(get_json(anon, "requests.json", {"status": "open,closed"})) == 3
    # Optional means empty is the same as absent.
    assert len(get_json(anon, "requests.json", {"status": "", "service_code": "", "start_date": ""})) == 3
    assert get_json(anon, "requests.json", {"service_code": "NOPE"}) == []
    # jurisdiction_id: one city, so it is accepted and ignored.
    assert len(get_json(anon, "requests.json", {"jurisdiction_id": "shangchuan.gov.cn"})) == 3


def test_filters_by_date_with_any_zone(anon, catalogue, now, time_machine):
    time_machine.move_to(NOW - timedelta(days=10), tick=False)
    older = citizen()
    time_machine.move_to(NOW, tick=False)
    newer = citizen()
    utc = "2026-09-10T00:00:00Z"
    assert numbers(get_json(anon, "requests.json", {"start_date": utc})) == [newer.number]
    before = get_json(anon, "requests.json", {"end_date": "2026-09-10T08:00:00+08:00"})
    assert numbers(before) == [older.number]
    between = get_json(anon, "requests.json", {"start_date": "2026-09-05T00:00:00-05:00",
                                               "end_date": "2026-09-16T09:59:00+08:00"})
    assert numbers(between) == [older.number]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("params, message", [
    ({"start_date": "2026-09-01"}, "start_date must be a W3C datetime with a time zone"),
    ({"end_date": "2026-09-01T00:00:00"}, "end_date must be a W3C datetime with a time zone"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-09-01T00:00:00Z"}, "may not exceed 90 days"),
    ({"start_date": "2026-09-02T00:00:00Z", "end_date": "2026-09-01T00:00:00Z"},
     "end_date is before start_date"),
    ({"status": "pending"}, "status must be open and/or closed"),
    ({"page": "0"}, "page must be an integer"),
    ({"page_size": "1001"}, "page_size must be an integer"),
    ({"page_size": "-1"}, "page_size must be an integer"),
])
def test_bad_parameters_are_400(anon, catalogue, fmt, params, message):
    (error,) = error_list(anon.get(f"{BASE}requests.{fmt}", params), fmt, 400)
    assert message in error[1]


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_resolves_to_its_request(anon, api_key, now, fmt):
    problem = post(anon, api_key)
    token = Open311Request.objects.get().token
    response = anon.get(f"{BASE}tokens/{token}.{fmt}")
    if fmt == "json":
        body = as_json(response)
        valid("token", body)
        assert body == [{"service_request_id": problem.number, "token": token}]
    else:
        tree = as_xml(response, root="service_requests")
        assert [(r.tag, r.findtext("service_request_id"), r.findtext("token")) for r in tree] == [
            ("request", problem.number, token)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_404(anon, catalogue, fmt):
    (error,) = error_list(anon.get(f"{BASE}tokens/0123456789abcdef.{fmt}"), fmt, 404)
    assert "token was not found" in error[1]


def test_dates_in_every_document_carry_the_offset(anon, api_key, world, now):
    problem = post(anon, api_key)
    problems.problem_assign(problem=problem, actor=world.hq, unit=world.community)
    (item,) = get_json(anon, "requests.json")
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_LOCAL.match(item[field]), (field, item[field])
    assert W3C_LOCAL.match(as_json(anon.get(BASE + "discovery.json"))["changeset"])


@pytest.mark.parametrize("path", ["requests/%00.json", "services/%00.json", "tokens/%00.xml"])
def test_nul_in_a_path_is_404(anon, catalogue, path):
    assert anon.get(BASE + path).status_code == 404


def test_nul_in_a_query_list_is_ignored(anon, catalogue, now):
    p = citizen()
    assert numbers(get_json(anon, "requests.json", {"service_request_id": f"\x00,{p.number}"})) == [p.number]
    # A code that cannot exist is dropped, so the list is not filtered by it.
    assert numbers(get_json(anon, "requests.json", {"service_code": "\x00"})) == [p.number]
