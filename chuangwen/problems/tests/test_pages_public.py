"""随手拍: a citizen reports without an account, gets a tracking code, and follows the case on a
public page that shows public steps only; bad input, floods and guessed codes create nothing."""

import io
import re

import pytest
from django.core.cache import cache
from django.test import Client

from chuangwen.attachments.models import Attachment, PhotoEvidence
from chuangwen.attachments.tests.samples import phone_photo, png_bytes, upload
from chuangwen.problems import ratelimit, services
from chuangwen.problems.models import Problem, ProblemStatus, Source
from chuangwen.problems.services.report import PHOTO_AFTER, PHOTO_BEFORE

from .conftest import png
from .pages_support import raw_contact

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
STAFF_NAMES = ("甲指挥", "戊书记", "己联络", "壬督查", "丁区长")


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def photo(name="现场.jpg"):
    return upload(name, phone_photo(), "image/jpeg")


def form(cat, **over):
    data = {"category": cat.code, "address": "和平路12号公交站旁", "description": "垃圾堆放多日无人清理",
            "photos": [photo()], "name": "张三丰", "phone": "138-1234-5678"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def body(response) -> str:
    return response.content.decode()


def counts():
    return Problem.objects.count(), Attachment.objects.count()


def test_the_form_is_public_and_phone_first(client, routed):
    response = client.get("/report/")
    page = body(response)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page and 'enctype="multipart/form-data"' in page
    assert "<optgroup" in page and routed.name in page  # the grouped category select
    assert 'src="/static/problems/report.js"' in page and "<script>" not in page  # no inline script
    assert 'name="viewport"' in page and "btn-lg w-100" in page


def test_a_report_creates_exactly_one_citizen_problem_with_a_code(client, world, routed, now):
    before = counts()
    response = client.post("/report/", form(routed, district=world.district.code, photos=[photo(), photo("2.jpg")],
                                            lng="117.1234567", lat="36.6543210"))
    assert Problem.objects.count() == before[0] + 1
    problem = Problem.objects.latest("id")
    assert problem.source == Source.CITIZEN and problem.reported_by is None
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", problem.tracking_code)
    assert problem.suggested_unit == world.community  # routed by category × district
    assert (str(problem.lng), str(problem.lat)) == ("117.1234567", "36.6543210")
    assert response.status_code == 302 and response.url == f"/report/track/{problem.tracking_code}/?new=1"
    page = body(client.get(response.url))
    assert problem.tracking_code in page and f"/report/track/{problem.tracking_code}/" in page
    assert "提交成功" in page
    # Citizens' photos: re-encoded, no metadata in the file, and no evidence row either.
    stored = list(Attachment.objects.filter(owner_kind=PHOTO_BEFORE, owner_id=problem.pk))
    assert len(stored) == 2 and all(a.content_type == "image/jpeg" for a in stored)
    assert not PhotoEvidence.objects.filter(attachment__in=stored).exists()


def test_the_phone_is_normalised_encrypted_and_indexed(client, routed):
    from chuangwen.lib.pi import phone_index

    client.post("/report/", form(routed, phone="+86 138 1234 5678"))
    raw = raw_contact(Problem.objects.latest("id").pk)
    assert PHONE not in "".join(raw) and "张三丰" not in "".join(raw)
    assert raw[1].startswith("pi1:") and raw[2] == phone_index(PHONE)


def test_contact_is_optional(client, routed):
    client.post("/report/", form(routed, name="", phone=""))
    problem = Problem.objects.latest("id")
    assert (problem.reporter_phone_enc, problem.reporter_phone_index) == ("", "")


def test_coordinates_alone_locate_the_problem(client, routed):
    client.post("/report/", form(routed, address="", lng="117.1", lat="36.6"))
    assert Problem.objects.latest("id").address == ""


def _big_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\0" * (10 * 1024 * 1024 + 1)


@pytest.mark.parametrize("over,message", [
    ({"category": ""}, "请选择问题类别"),
    ({"photos": []}, "请至少上传 1 张现场照片"),
    ({"photos": [upload(f"{i}.png", png_bytes(), "image/png") for i in range(11)]}, "最多上传 9 张照片,您选择了 11 张"),
    ({"photos": [upload("notes.jpg", b"just some text, not a photo", "image/jpeg")]}, "notes.jpg"),
    ({"photos": [upload("page.png", b"<html><script>alert(1)</script></html>", "image/png")]}, "不允许上传"),
    ({"photos": [upload("big.jpg", _big_jpeg(), "image/jpeg")]}, "太大了"),
    ({"description": ""}, "请描述您看到的问题"),
    ({"address": "", "lng": "", "lat": ""}, "请填写问题地点"),
    ({"phone": "12345"}, "请输入正确的电话号码"),
    ({"lng": "117.1", "lat": ""}, "经度、纬度须同时填写"),
    ({"lng": "2.35", "lat": "48.85"}, "定位不在国内"),
])
def test_bad_input_is_explained_in_chinese_and_creates_nothing(client, routed, over, message):
    before = counts()
    response = client.post("/report/", form(routed, **over))
    assert response.status_code == 200
    assert message in body(response)
    assert counts() == before


def test_an_inactive_category_is_refused(client, routed):
    routed.is_active = False
    routed.save()
    before = counts()
    assert "请选择问题类别" in body(client.post("/report/", form(routed)))
    assert counts() == before


def test_csrf_is_enforced(routed):
    client = Client(enforce_csrf_checks=True)
    before = counts()
    assert client.post("/report/", form(routed)).status_code == 403
    assert counts() == before


def test_too_many_reports_from_one_address_get_429_and_create_nothing(client, routed, monkeypatch):
    monkeypatch.setattr(ratelimit, "REPORT", ratelimit.Limit("report", 2, 600))
    for _ in range(2):
        assert client.post("/report/", form(routed), REMOTE_ADDR="198.51.100.7").status_code == 302
    before = counts()
    response = client.post("/report/", form(routed), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429 and "提交过于频繁,请 10 分钟后再试" in body(response)
    assert response["Retry-After"] == "600"
    # A forged X-Forwarded-For from an untrusted client changes nothing.
    response = client.post("/report/", form(routed), REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429
    assert counts() == before
    # Another address is not affected.
    assert client.post("/report/", form(routed), REMOTE_ADDR="198.51.100.8").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, routed, monkeypatch, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    monkeypatch.setattr(ratelimit, "REPORT", ratelimit.Limit("report", 1, 600))
    assert client.post("/report/", form(routed), REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    assert client.post("/report/", form(routed), REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert client.post("/report/", form(routed), REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


# --- the tracking page ------------------------------------------------------------------------------------

@pytest.fixture
def citizen(client, world, routed, now):
    client.post("/report/", form(routed, district=world.district.code))
    return Problem.objects.latest("id")


def test_tracking_shows_public_steps_only_and_no_staff_names(client, world, citizen):
    p = services.problem_assign(problem=citizen, actor=world.hq)
    p = services.problem_return(problem=p, actor=world.c1_head, reason="戊书记认为不在辖区")
    p = services.problem_assign(problem=p, actor=world.hq, unit=world.community)
    p = services.problem_accept(problem=p, actor=world.c1_liaison)
    p = services.problem_submit(problem=p, actor=world.c1_liaison, photos=[png()], note="己联络已清理")
    p = services.problem_recheck(problem=p, actor=world.inspector, passed=False, note="壬督查:仍有残留 13900001111")
    page = body(client.get(f"/report/track/{p.tracking_code}/"))
    assert "复查未通过,责任单位正在重新整改" in page
    steps = re.search(r'id="public-steps">(.*?)</ol>', page, re.S).group(1)
    assert steps.count("<li") == 6  # report, assign twice, accept, submit, recheck_fail; not the return
    assert "已交办责任单位" in steps and "复查未通过" in steps and "退回" not in steps
    for name in STAFF_NAMES:
        assert name not in page, name
    assert "仍有残留" not in page and "13900001111" not in page and "不在辖区" not in page
    assert PHONE not in page and "张三丰" not in page and "138****" not in page
    # The after photo is not shown until the fix passes recheck.
    after = Attachment.objects.get(owner_kind=PHOTO_AFTER, owner_id=p.pk)
    assert f"/photo/{after.pk}/" not in page
    assert client.get(f"/report/track/{p.tracking_code}/photo/{after.pk}/").status_code == 404


def test_after_photos_show_once_closed(client, world, citizen):
    p = services.problem_assign(problem=citizen, actor=world.hq)
    p = services.problem_accept(problem=p, actor=world.c1_head)
    p = services.problem_submit(problem=p, actor=world.c1_head, photos=[png()])
    p = services.problem_recheck(problem=p, actor=world.inspector, passed=True)
    page = body(client.get(f"/report/track/{p.tracking_code}/"))
    assert "已整改完毕" in page and "复查通过,问题销号" in page
    after = Attachment.objects.get(owner_kind=PHOTO_AFTER, owner_id=p.pk)
    assert f"/report/track/{p.tracking_code}/photo/{after.pk}/" in page


def test_public_photos_carry_no_metadata_and_the_download_headers(client, citizen):
    from PIL import Image

    photo_ = Attachment.objects.filter(owner_kind=PHOTO_BEFORE, owner_id=citizen.pk).first()
    response = Client().get(f"/report/track/{citizen.tracking_code}/photo/{photo_.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Content-Disposition"].startswith("inline") and "现场" not in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif() and not {"exif", "xmp", "icc_profile", "comment"} & set(im.info)


def test_a_photo_is_served_only_under_its_own_problems_code(client, world, routed, citizen):
    client.post("/report/", form(routed))
    other = Problem.objects.latest("id")
    mine = Attachment.objects.filter(owner_kind=PHOTO_BEFORE, owner_id=citizen.pk).first()
    assert client.get(f"/report/track/{other.tracking_code}/photo/{mine.pk}/").status_code == 404
    # A staff problem (no tracking code) never has a public photo, whatever the id.
    staff = services.problem_report(source=Source.INSPECTION, category=routed, description="x", actor=world.inspector,
                                    photos=[png()])
    theirs = Attachment.objects.get(owner_kind=PHOTO_BEFORE, owner_id=staff.pk)
    assert client.get(f"/report/track/{citizen.tracking_code}/photo/{theirs.pk}/").status_code == 404


def test_a_stored_photo_with_metadata_is_never_served_publicly(client, citizen):
    """Defence in depth: a file stored by another path (attachments_store keeps the bytes) with
    its EXIF is refused rather than shown."""
    from django.db import transaction

    from chuangwen.attachments.services import attachments_store

    with transaction.atomic():
        raw = attachments_store([photo("raw.jpg")], owner_kind=PHOTO_BEFORE, owner_id=citizen.pk, actor=None)[0]
    assert client.get(f"/report/track/{citizen.tracking_code}/photo/{raw.pk}/").status_code == 404


def test_an_unknown_code_gets_a_friendly_404(client):
    response = client.get("/report/track/ABCDEFGHJK/")
    assert response.status_code == 404 and "没有找到这条反映" in body(response)
    assert client.get("/report/track/not-a-code/").status_code == 404


def test_the_lookup_forgives_spaces_and_case(client, citizen):
    code = citizen.tracking_code
    response = client.get("/report/track/", {"code": f" {code[:5].lower()} {code[5:]} "})
    assert response.url == f"/report/track/{code}/"
    assert client.get("/report/track/").status_code == 200
    page = body(client.get("/report/track/", {"code": "a/b?c"}))
    assert "查询码共 10 位" in page


def test_guessing_codes_is_limited(client, citizen, monkeypatch):
    monkeypatch.setattr(ratelimit, "LOOKUP_MISS", ratelimit.Limit("track-miss", 3, 600))
    for guess in ("ABCDEFGHJK", "ABCDEFGHJM", "ABCDEFGHJN"):
        assert client.get(f"/report/track/{guess}/").status_code == 404
    # Now even the right code is refused from this address for a while.
    response = client.get(f"/report/track/{citizen.tracking_code}/")
    assert response.status_code == 429 and "查询过于频繁" in body(response)
    assert Client().get(f"/report/track/{citizen.tracking_code}/", REMOTE_ADDR="198.51.100.9").status_code == 200


def test_tracking_pages_are_not_indexed(client, citizen):
    response = client.get(f"/report/track/{citizen.tracking_code}/")
    assert "noindex" in response["X-Robots-Tag"]
    assert response.status_code == 200 and citizen.status == ProblemStatus.REPORTED
