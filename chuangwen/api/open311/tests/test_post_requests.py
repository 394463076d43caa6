"""POST /requests: the api_key, the service, the location, the attributes; the problem it
creates on HQ's dispatch desk through problem_report; personal data; limits and audit."""

import pytest
from django.db import connection
from django.test import Client

from chuangwen.api.open311.models import Open311Request
from chuangwen.api.open311.services import key_issue, key_revoke
from chuangwen.audit.models import Entry
from chuangwen.lib.pi import decrypt, phone_index
from chuangwen.problems.models import Problem, ProblemEvent, ProblemStatus, Source
from chuangwen.problems.selectors import dispatch_desk

from .conftest import BASE, LAT, LONG, as_json, as_xml, error_list, post_data, valid

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_reports_a_problem_and_returns_its_number(anon, api_key, world, now, fmt):
    response = anon.post(f"{BASE}requests.{fmt}", post_data(api_key))
    problem = Problem.objects.get()
    if fmt == "json":
        body = as_json(response)
        valid("post", body)
        assert body == [{"service_request_id": problem.number, "service_notice": body[0]["service_notice"]}]
        notice = body[0]["service_notice"]
    else:
        tree = as_xml(response, root="service_requests")
        (request,) = tree
        assert request.tag == "request"
        assert [e.tag for e in request] == ["service_request_id", "service_notice"]
        assert request.findtext("service_request_id") == problem.number
        notice = request.findtext("service_notice")
    assert "1 个工作日" in notice  # 暴露垃圾, normal: 1 working day
    assert problem.status == ProblemStatus.REPORTED and problem.source == Source.CITIZEN
    assert problem.category.code == "SJ0101" and problem.description == "绿地旁暴露垃圾一堆"
    assert (str(problem.lat), str(problem.lng)) == ("28.2282000", "112.9388000")
    assert problem.address == "和平路12号" and problem.reported_by is None
    # The same loop as the web form: HQ's dispatch desk shows it, with its timeline event.
    assert problem in dispatch_desk(world.hq)
    assert list(ProblemEvent.objects.filter(problem=problem).values_list("kind", flat=True)) == ["report"]
    req = Open311Request.objects.get()
    assert req.problem == problem and req.key.name == "上川市12345热线" and len(req.token) == 32


def test_the_post_is_audited_with_the_key_never_with_it_in_full(anon, issued, now):
    key, plaintext = issued
    seq = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    anon.post(BASE + "requests.json", post_data(plaintext))
    events = list(Entry.objects.filter(seq__gt=seq).order_by("seq"))
    assert [e.event for e in events] == ["problem.report", "open311.request"]
    assert events[1].actor_name == "Open311:上川市12345热线" and events[1].changes["key"] == [None, key.prefix]
    assert plaintext not in str([e.changes for e in events])


def test_a_post_is_form_encoded_and_csrf_exempt(api_key, now):
    client = Client(enforce_csrf_checks=True)
    response = client.post(BASE + "requests.json", post_data(api_key))
    assert response.status_code == 200 and Problem.objects.count() == 1


# --- the api_key: 403 -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "o311_0123456789_" + "0" * 64, "cw_0123456789_" + "0" * 64,
                                 "nonsense"])
def test_a_missing_or_wrong_api_key_is_403(anon, catalogue, fmt, key):
    (error,) = error_list(anon.post(f"{BASE}requests.{fmt}", post_data(key)), fmt, 403)
    assert error[0] == 403 and "api_key" in error[1]
    assert Problem.objects.count() == 0


def test_the_key_is_checked_before_anything_else(anon, catalogue):
    (error,) = error_list(anon.post(BASE + "requests.json", {"service_code": "NOPE"}), "json", 403)


def test_a_revoked_or_expired_key_is_403(anon, issued, world, time_machine):
    key, plaintext = issued
    time_machine.move_to(key.expires_at, tick=False)
    error_list(anon.post(BASE + "requests.json", post_data(plaintext)), "json", 403)
    time_machine.move_to(key.created_at, tick=False)
    assert anon.post(BASE + "requests.json", post_data(plaintext)).status_code == 200
    key_revoke(key=key, actor=world.secadmin)
    error_list(anon.post(BASE + "requests.json", post_data(plaintext)), "json", 403)


def test_an_api_key_in_the_query_string_is_not_accepted(anon, api_key):
    error_list(anon.post(f"{BASE}requests.json?api_key={api_key}", post_data(None)), "json", 403)


def test_a_key_that_may_not_post_is_403(anon, world, catalogue):
    _, plaintext = key_issue(name="只读", can_post=False, actor=world.secadmin)
    (error,) = error_list(anon.post(BASE + "requests.json", post_data(plaintext)), "json", 403)
    assert "may not post" in error[1]


def test_a_refused_key_is_audited_and_guessing_stops(anon, catalogue, monkeypatch):
    from chuangwen.api.open311 import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_FAILURES_PER_WINDOW", 3)
    wrong = "o311_0123456789_" + "0" * 64
    for _ in range(3):
        error_list(anon.post(BASE + "requests.json", post_data(wrong)), "json", 403)
    denied = Entry.objects.filter(event="open311.key_denied")
    assert denied.count() == 3 and denied.first().changes == {"prefix": [None, "0123456789"]}
    assert wrong not in str(list(denied.values_list("changes", flat=True)))
    (error,) = error_list(anon.post(BASE + "requests.xml", post_data(wrong)), "xml", 429)
    assert error[0] == 429


# --- the service: 404; the rest: 400 ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_404(anon, api_key, fmt):
    response = anon.post(f"{BASE}requests.{fmt}", post_data(api_key, service_code="XX9999"))
    (error,) = error_list(response, fmt, 404)
    assert error[0] == 404 and "service_code was not found" in error[1]
    assert Problem.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("lat, long, message", [
    ("abc", LONG, "lat must be a number"),
    (LAT, "east", "long must be a number"),
    ("91", LONG, "lat is out of range"),
    (LAT, "-180.5", "long is out of range"),
    ("NaN", LONG, "lat must be a number"),
    ("Infinity", LONG, "lat must be a number"),
    (LAT, "", "lat and long must be sent together"),
    (LONG, LAT, "lat is out of range"),  # swapped
    ("0", "0", "outside the service area"),
])
def test_bad_lat_long_is_400(anon, api_key, fmt, lat, long, message):
    response = anon.post(f"{BASE}requests.{fmt}", post_data(api_key, lat=lat, long=long, address_string=None))
    errors = error_list(response, fmt, 400)
    assert any(message in d for _, d in errors), errors
    assert all(code == 400 for code, _ in errors)
    assert Problem.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_location_is_400(anon, api_key, fmt):
    data = post_data(api_key, lat=None, long=None, address_string="", address_id=" ")
    (error,) = error_list(anon.post(f"{BASE}requests.{fmt}", data), fmt, 400)
    assert "a location is required" in error[1] and "请提供位置" in error[1]


def test_an_address_alone_is_a_location(anon, api_key, now):
    as_json(anon.post(BASE + "requests.json", post_data(api_key, lat=None, long=None)))
    problem = Problem.objects.get()
    assert problem.address == "和平路12号" and problem.lat is None


def test_a_missing_service_code_is_400(anon, api_key):
    (error,) = error_list(anon.post(BASE + "requests.json", post_data(api_key, service_code="")), "json", 400)
    assert "service_code is required" in error[1]


@pytest.mark.parametrize("field, value, message", [
    ("description", "长" * 4001, "longer than 4000"),
    ("address_string", "长" * 201, "address_string is too long"),
    ("media_url", "javascript:alert(1)", "media_url must be an http or https URL"),
    ("media_url", "file:///etc/passwd", "media_url must be an http or https URL"),
    ("phone", "12345", "phone is not a valid phone number"),
    ("first_name", "长" * 31, "too long"),
    ("description", "有\x00控制字符", "control characters"),
])
def test_bad_fields_are_400(anon, api_key, field, value, message):
    response = anon.post(BASE + "requests.json", post_data(api_key, **{field: value}))
    (error,) = error_list(response, "json", 400)
    assert message in error[1]


def test_several_problems_come_back_together(anon, api_key):
    data = post_data(api_key, service_code="BJ0101", lat="x", long=LONG, description="长" * 4001)
    errors = error_list(anon.post(BASE + "requests.xml", data), "xml", 400)
    messages = " ".join(d for _, d in errors)
    assert len(errors) == 3 and "lat must be a number" in messages
    assert "attribute[cover_state] is required" in messages


def test_an_empty_description_gets_the_service_name(anon, api_key, now):
    as_json(anon.post(BASE + "requests.json", post_data(api_key, description="")))
    assert Problem.objects.get().description == "暴露垃圾(上报时未填写描述)"


# --- attributes ------------------------------------------------------------------------------


def test_attributes_are_validated_stored_and_shown_to_staff(anon, api_key, now):
    data = post_data(api_key, service_code="SJ0103", **{
        "attribute[area_m2]": "12.5", "attribute[observed_at]": "2026-09-16T01:30:00Z",
        "attribute[landmark]": "和平路公交站", "attribute[notes]": "早高峰前\n请尽快",
    })
    data["attribute[hazards][]"] = ["oil", "mud"]
    as_json(anon.post(BASE + "requests.json", data))
    req = Open311Request.objects.select_related("problem").get()
    assert req.attributes == {"area_m2": 12.5, "observed_at": "2026-09-16T09:30:00+08:00",
                              "hazards": ["oil", "mud"], "landmark": "和平路公交站", "notes": "早高峰前\n请尽快"}
    assert "附加信息:" in req.problem.description and "现场有哪些情况:油污、泥浆渣土" in req.problem.description


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_required_attribute_and_a_bad_choice_are_400(anon, api_key, fmt):
    data = post_data(api_key, service_code="BJ0101")
    (error,) = error_list(anon.post(f"{BASE}requests.{fmt}", data), fmt, 400)
    assert "attribute[cover_state] is required" in error[1]
    data["attribute[cover_state]"] = "stolen"
    (error,) = error_list(anon.post(f"{BASE}requests.{fmt}", data), fmt, 400)
    assert "stolen is not a valid key" in error[1]
    data["attribute[cover_state]"] = "missing"
    assert anon.post(f"{BASE}requests.{fmt}", data).status_code == 200
    assert Open311Request.objects.get().attributes == {"cover_state": "missing"}


# --- personal data ---------------------------------------------------------------------------


def test_name_and_phone_are_stored_encrypted_and_email_is_not_kept(anon, api_key, now):
    data = post_data(api_key, first_name="三", last_name="张", phone="138-1234-5678", email="zs@example.com",
                     device_id="dev-1", account_id="acc-1")
    as_json(anon.post(BASE + "requests.json", data))
    problem = Problem.objects.get()
    assert decrypt(problem.reporter_phone_enc) == "13812345678" and decrypt(problem.reporter_name_enc) == "张三"
    assert problem.reporter_phone_index == phone_index("13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM problems_problem")
        rows = str(cursor.fetchall())
        cursor.execute("SELECT * FROM open311_open311request")
        rows += str(cursor.fetchall())
    for secret in ("13812345678", "张三", "zs@example.com", "dev-1", "acc-1"):
        assert secret not in rows


def test_without_contact_nothing_personal_is_stored(anon, api_key, now):
    as_json(anon.post(BASE + "requests.json", post_data(api_key)))
    problem = Problem.objects.get()
    assert problem.reporter_name_enc == problem.reporter_phone_enc == problem.reporter_phone_index == ""


def test_a_latin_name_keeps_its_order(anon, api_key, now):
    as_json(anon.post(BASE + "requests.json", post_data(api_key, first_name="Ann", last_name="Lee")))
    assert decrypt(Problem.objects.get().reporter_name_enc) == "Ann Lee"


# --- where: sites and districts --------------------------------------------------------------


@pytest.fixture
def site(world, catalogue):
    from chuangwen.places.models import Site, SiteType

    site_type, _ = SiteType.objects.get_or_create(code="ZZ311", defaults={"name": "Open311 测试点位"})
    return Site.objects.create(code="Q01-XJ-001", name="和平巷", site_type=site_type, district=world.district,
                               address="和平路北侧", responsible_unit=world.community,
                               lng="112.9400000", lat="28.2300000", input_datum="wgs84")


def test_an_address_id_names_a_site_which_gives_district_address_and_point(anon, api_key, site, world, now):
    as_json(anon.post(BASE + "requests.json", post_data(api_key, lat=None, long=None, address_string=None,
                                                         address_id=site.code)))
    problem = Problem.objects.get()
    assert problem.district == world.district and problem.address == "和平巷(和平路北侧)"
    assert (str(problem.lng), str(problem.lat)) == ("112.9400000", "28.2300000")
    assert Open311Request.objects.get().address_id == site.code


def test_an_unknown_address_id_is_400(anon, api_key):
    response = anon.post(BASE + "requests.json", post_data(api_key, address_id="NOPE"))
    (error,) = error_list(response, "json", 400)
    assert "address_id was not found" in error[1]


def test_a_district_key_reports_into_its_district_only(anon, world, site, now):
    _, own = key_issue(name="城东区随手拍", districts=[world.district], actor=world.secadmin)
    as_json(anon.post(BASE + "requests.json", post_data(own)))
    assert Problem.objects.get().district == world.district
    _, other = key_issue(name="城西区随手拍", districts=[world.other_district], actor=world.secadmin)
    response = anon.post(BASE + "requests.json", post_data(other, address_id=site.code))
    (error,) = error_list(response, "json", 403)
    assert "may not report in this district" in error[1]
    _, both = key_issue(name="两区", districts=[world.district, world.other_district], actor=world.secadmin)
    error_list(anon.post(BASE + "requests.json", post_data(both)), "json", 403)
    assert anon.post(BASE + "requests.json", post_data(both, address_id=site.code)).status_code == 200


# --- limits ----------------------------------------------------------------------------------


def test_a_key_posts_at_most_its_hourly_limit(anon, world, catalogue, now):
    _, plaintext = key_issue(name="小流量", hourly_limit=2, actor=world.secadmin)
    for _ in range(2):
        assert anon.post(BASE + "requests.json", post_data(plaintext)).status_code == 200
    response = anon.post(BASE + "requests.json", post_data(plaintext))
    (error,) = error_list(response, "json", 429)
    assert response["Retry-After"] == "600" and Problem.objects.count() == 2


def test_posts_are_limited_per_client_address(anon, api_key, monkeypatch, now):
    from chuangwen.api.open311 import ratelimit

    monkeypatch.setattr(ratelimit, "POSTS_PER_MINUTE", 1)
    assert anon.post(BASE + "requests.json", post_data(api_key)).status_code == 200
    error_list(anon.post(BASE + "requests.json", post_data(api_key)), "json", 429)


# --- Idempotency-Key (chuangwen.api.idempotency) ----------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(anon, api_key, now, fmt):
    first = anon.post(f"{BASE}requests.{fmt}", post_data(api_key), HTTP_IDEMPOTENCY_KEY="k-1")
    again = anon.post(f"{BASE}requests.{fmt}", post_data(api_key), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Problem.objects.count() == 1 and Open311Request.objects.count() == 1


def test_the_same_idempotency_key_for_another_request_is_refused_in_the_specs_shape(anon, api_key, now):
    anon.post(BASE + "requests.json", post_data(api_key), HTTP_IDEMPOTENCY_KEY="k-2")
    response = anon.post(BASE + "requests.xml", post_data(api_key, description="另一处"),
                         HTTP_IDEMPOTENCY_KEY="k-2")
    (error,) = error_list(response, "xml", 422)
    assert Problem.objects.count() == 1


def test_a_refused_post_keeps_no_answer_so_the_corrected_retry_runs(anon, api_key, now):
    bad = anon.post(BASE + "requests.json", post_data(api_key, lat="x"), HTTP_IDEMPOTENCY_KEY="k-3")
    error_list(bad, "json", 400)
    good = anon.post(BASE + "requests.json", post_data(api_key), HTTP_IDEMPOTENCY_KEY="k-3")
    assert good.status_code == 200 and Problem.objects.count() == 1


# --- hostile input: never a 500 --------------------------------------------------------------


def test_nul_in_the_service_code_is_400_and_never_queried(anon, api_key):
    response = anon.post(BASE + "requests.json", post_data(api_key, service_code="SJ\x000101"))
    errors = error_list(response, "json", 400)
    assert any("control characters" in d for _, d in errors)


def test_a_body_over_the_upload_limit_is_413(anon, api_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = anon.post(BASE + "requests.xml", post_data(api_key, description="长" * 2000))
    error_list(response, "xml", 413)


def test_too_many_fields_is_400(anon, api_key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = post_data(api_key, **{f"attribute[x{i}]": "1" for i in range(20)})
    (error,) = error_list(anon.post(BASE + "requests.json", data), "json", 400)
    assert "malformed request" in error[1]
