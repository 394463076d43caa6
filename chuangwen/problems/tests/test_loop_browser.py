"""The rectification loop end to end in a real browser: a citizen reports a problem with a photo
on a 375-px phone (随手拍); HQ finds it on the dispatch desk and assigns it to the community; the
community liaison signs for it and reports it fixed with an after photo; an inspector's recheck
fails (返工, with a reason); the liaison fixes it again; the second recheck passes (销号).  After
every public step the citizen opens the tracking page by the code they were shown: the new step
is there with its plain-words label, and no staff name or staff note ever is.

Chromium runs in a child process (see dashboard/tests/browser.py); the test then checks the
database: status, events in order, an audit entry for each transition, the photos (the
citizen's stored without a byte of EXIF and without evidence; the after photos' GPS kept as
evidence) and the summary table.
"""

import io

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]

DESCRIPTION = "公交站旁绿地里堆了好几袋生活垃圾,已经好几天没人清理"
ADDRESS = "和平路12号公交站旁"
CITIZEN_NAME, CITIZEN_PHONE = "张先生", "13812345678"
UNIT_NAME = "和平社区"
FIRST_FIX = "已清运垃圾"
FAIL_NOTE = "绿地内仍有垃圾残留,须彻底清理"
SECOND_FIX = "已彻底清理并增设垃圾桶"
PASS_NOTE = "现场已清理干净"
# Where the photos were taken (WGS-84): the citizen's position must never be kept; the
# liaison's is evidence against a false closure.
CITIZEN_GPS = (28.1931762, 112.9702143)
AFTER_GPS = (28.1946212, 112.9823876)
SHOT_AT = "2026:05:06 09:30:15"

# The public steps in order, as the tracking page words them, with the status shown after each.
RECEIVED = ("您的反映已收到", "已受理,正在分派责任单位")
ASSIGNED = ("已交办责任单位", "已交办责任单位,等待处理")
ACCEPTED = ("责任单位已签收,开始整改", "责任单位正在整改")
SUBMITTED = ("责任单位报告整改完成", "整改完成,等待复查")
FAILED = ("复查未通过,要求重新整改", "复查未通过,责任单位正在重新整改")
PASSED = ("复查通过,问题销号", "已整改完毕,经复查销号")


# --- the browser side (runs in the child process) ------------------------------------------------


def _flow(job, browser, sessions, progress):
    import re
    from pathlib import Path

    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, PHONE, BrowserSession

    def session(username=None, device=PHONE):
        s = BrowserSession(browser.new_context(**device, locale="zh-CN"), job["base"])
        sessions.append(s)
        if username:
            s.login(username, job["password"])
        return s

    def fits(s, what):
        assert s.scroll_width() <= 375, f"{what} scrolls sideways on a phone"

    def status_is(s, label):
        expect(s.page.locator("#problem-status")).to_have_text(label)

    def told(s, text):
        expect(s.page.locator("main .alert-success")).to_contain_text(text)

    def loaded(s, img):
        img.scroll_into_view_if_needed()
        s.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())

    steps = []

    def public_step(step):
        """The citizen reloads the tracking page: exactly the public steps so far, in order."""
        label, status = step
        steps.append(label)
        citizen.goto(f"/report/track/{code}/")
        expect(citizen.page.locator("#public-steps > li > span:first-child")).to_have_text(steps)
        expect(citizen.page.locator("#public-status")).to_have_text(status)
        html = citizen.page.content()
        leaked = [word for word in job["private"] if word in html]
        assert not leaked, f"the tracking page shows {leaked} after {label!r}"
        fits(citizen, "the tracking page")

    def open_card(s, tab=None):
        """A unit's problem list on a phone: open the problem by its card (the address)."""
        s.goto("/problems/")
        if tab:
            s.page.locator(".nav-tabs").get_by_role("link", name=re.compile(f"^{tab}")).click()
        s.page.locator("a.list-group-item", has_text=job["address"]).click()
        expect(s.page).to_have_url(re.compile(r"/problems/p/\d+/$"))

    progress["step"] = "citizen reports on a phone"
    citizen = session()
    citizen.goto("/report/")
    fits(citizen, "the report form")
    form = citizen.page.locator("#report-form")
    form.get_by_label(re.compile("^现场照片")).set_input_files(job["citizen_photo"])
    form.get_by_label("问题类别").select_option(label="暴露垃圾")
    form.get_by_label("问题地点").fill(job["address"])
    form.get_by_label("所在区县").select_option(label="城东区")
    form.get_by_label("问题描述").fill(job["description"])
    form.locator("summary", has_text="留下联系方式").click()
    form.get_by_label("您的称呼(选填)").fill(job["citizen_name"])
    form.get_by_label(re.compile("^联系电话")).fill(job["citizen_phone"])
    form.get_by_role("button", name="提交").click()
    expect(citizen.page).to_have_url(re.compile(r"/report/track/[2-9A-HJKMNP-Z]{10}/\?new=1$"))
    expect(citizen.page.locator("[role=status]")).to_contain_text("提交成功")
    code = citizen.page.locator("#tracking-code").inner_text().strip()
    fits(citizen, "the confirmation")
    public_step(RECEIVED)
    loaded(citizen, citizen.page.get_by_role("img", name="现场照片 1"))

    progress["step"] = "HQ finds it on the desk and assigns it"
    hq = session("hq", DESKTOP)
    hq.nav_link("问题整改").click()
    expect(hq.page).to_have_url(hq.url("/problems/desk/"))
    hq.page.get_by_label("区县").select_option(label="城东区")
    hq.page.get_by_label("来源").select_option(label="随手拍")
    hq.page.get_by_role("button", name="筛选").click()
    row = hq.page.locator("#desk-form tbody tr", has_text="暴露垃圾")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(job["address"])
    row.get_by_role("link").click()
    status_is(hq, "待交办")
    # The reporter's contact reaches staff masked; the full number only through an audited click.
    expect(hq.page.locator("#reporter-contact")).to_have_text(f"{job['masked_name']} {job['masked_phone']}")
    hq.page.get_by_label("责任单位(编码或全称,留空则按建议)").fill(job["unit"])
    hq.page.get_by_role("button", name="交办", exact=True).click()
    told(hq, f"已交办至{job['unit']}")
    status_is(hq, "已交办")
    public_step(ASSIGNED)

    progress["step"] = "the liaison signs for it and reports it fixed"
    liaison = session("c1_liaison")
    open_card(liaison)
    liaison.page.get_by_role("button", name="签收整改").click()
    status_is(liaison, "整改中")
    public_step(ACCEPTED)
    liaison.page.get_by_label("整改后照片").set_input_files(job["after_photos"][0])
    liaison.page.get_by_label("整改情况").fill(FIRST_FIX)
    liaison.page.get_by_role("button", name="报告整改完成").click()
    told(liaison, "已报告整改完成")
    status_is(liaison, "待复查")
    fits(liaison, "the problem page")
    public_step(SUBMITTED)
    # An after photo is public only once a recheck confirmed it.
    expect(citizen.page.get_by_role("heading", name="整改后照片")).to_have_count(0)

    progress["step"] = "the inspector's recheck fails"
    inspector = session("inspector")
    inspector.page.get_by_role("button", name="展开导航").click()
    inspector.nav_link("问题整改").click()
    expect(inspector.page).to_have_url(inspector.url("/problems/recheck/"))
    card = inspector.page.locator(".card", has_text=job["address"])
    expect(card.get_by_role("img", name="整改后照片 1")).to_be_visible()
    fits(inspector, "the recheck queue")
    card.get_by_role("button", name="未通过,返工").click()  # no reason yet: refused, nothing changes
    expect(inspector.page.locator("main .alert-danger")).to_contain_text("须填写理由")
    card.get_by_label("复查意见(未通过时必填)").fill(FAIL_NOTE)
    card.get_by_role("button", name="未通过,返工").click()
    told(inspector, "复查未通过,已要求返工")
    expect(inspector.page.locator("main")).to_contain_text("没有待复查的问题")
    public_step(FAILED)

    progress["step"] = "the liaison fixes it again"
    open_card(liaison, tab="返工")
    status_is(liaison, "返工")
    expect(liaison.page.locator("#timeline")).to_contain_text(FAIL_NOTE)
    liaison.page.get_by_label("整改后照片").set_input_files(job["after_photos"][1])
    liaison.page.get_by_label("整改情况").fill(SECOND_FIX)
    liaison.page.get_by_role("button", name="报告整改完成").click()
    told(liaison, "已报告整改完成")
    status_is(liaison, "待复查")
    public_step(SUBMITTED)

    progress["step"] = "the second recheck passes"
    inspector.goto("/problems/recheck/")
    card = inspector.page.locator(".card", has_text=job["address"])
    expect(card).to_contain_text("已返工 1 次")
    card.get_by_role("link", name="暴露垃圾").click()
    status_is(inspector, "待复查")
    # Inspectors see where the after photos were taken (EXIF kept as evidence, not in the file).
    expect(inspector.page.locator("figcaption").first).to_contain_text(job["after_gps_text"])
    fits(inspector, "the problem page")
    inspector.page.get_by_label("说明").fill(PASS_NOTE)
    inspector.page.get_by_role("button", name="复查通过,销号").click()
    told(inspector, "复查通过,问题已销号")
    status_is(inspector, "已销号")
    public_step(PASSED)
    expect(citizen.page.get_by_role("heading", name="整改后照片")).to_be_visible()
    loaded(citizen, citizen.page.get_by_role("img", name="整改后照片 2"))

    progress["step"] = "the citizen looks the code up again"
    citizen.goto("/report/track/")
    citizen.page.get_by_label("查询码").fill(f" {code[:5].lower()} {code[5:]} ")
    citizen.page.get_by_role("button", name="查询").click()
    expect(citizen.page).to_have_url(citizen.url(f"/report/track/{code}/"))
    expect(citizen.page.locator("#public-status")).to_have_text(PASSED[1])
    citizen.screenshot(Path(job["screenshots"]), "problem-loop-tracking-phone")
    progress["step"] = "done"
    return {"code": code, "csp": [str(e) for s in sessions for e in s.csp_violations()]}


def _child_main():
    child_main(_flow)


# --- the test (runs in the pytest worker) --------------------------------------------------------


@pytest.fixture
def one_request_at_a_time(live_server):
    """On SQLite the live server's threads share the test's one in-memory connection (pytest-django
    passes it to them), so two audited photo downloads fired by one page ("BEGIN IMMEDIATE" while
    the other thread's statement is open) fail at once with "database table is locked", which
    separate connections to a WAL file with a busy timeout, as production runs, would queue.
    Requests then take turns; on PostgreSQL each thread has its own connection and runs freely."""
    import threading

    thread = live_server.thread
    if not thread.connections_override:
        yield
        return
    app, turn = thread.httpd.get_app(), threading.Lock()

    def serial(environ, start_response):
        with turn:
            return app(environ, start_response)

    thread.httpd.set_app(serial)
    yield
    thread.httpd.set_app(app)


def _photo(path, gps, colour):
    """A phone's JPEG with EXIF: time, device and the GPS position."""
    from PIL import Image

    from chuangwen.attachments.tests.samples import photo_exif

    exif = photo_exif(gps=gps, taken=SHOT_AT, offset="+08:00", make="HUAWEI", model="HUAWEI P40")
    Image.new("RGB", (320, 240), colour).save(path, format="JPEG", exif=exif)
    return str(path)


def _has_exif(attachment) -> bool:
    from PIL import Image

    from chuangwen.attachments import storage

    data = storage.blob_path(attachment.blob).read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        return bool(im.getexif()) or "exif" in im.info or b"Exif\x00\x00" in data


def test_citizen_report_to_closure_in_a_browser(live_server, one_request_at_a_time, transactional_world,
                                                tmp_path):
    from datetime import timedelta
    from decimal import Decimal

    from django.core.cache import caches
    from django.db.models import Sum
    from django.utils import timezone

    from chuangwen.attachments.models import Attachment, PhotoEvidence
    from chuangwen.audit.models import Entry
    from chuangwen.lib.pi import mask_name, mask_phone
    from chuangwen.problems import ratelimit
    from chuangwen.problems.catalogue import ensure_catalogue
    from chuangwen.problems.metrics import recompute, summary_table
    from chuangwen.problems.models import Category, Problem, ProblemStatus, Source, TimeLimit
    from chuangwen.problems.services.report import PHOTO_AFTER, PHOTO_BEFORE
    from chuangwen.problems.summary import ProblemDaily

    w = transactional_world
    ensure_catalogue(Category, TimeLimit)  # a transactional test's flush takes the migration's rows
    caches[ratelimit.cache_alias()].clear()  # another run's counters must not limit this one
    # Never on the tracking page: a staff member's name or account, a staff note, the reporter.
    staff = ("hq", "c1_head", "c1_liaison", "inspector", "district_head", "mayor")
    private = [getattr(w, name).full_name for name in staff] + ["c1_liaison", "c1_head", "inspector"]
    private += [FIRST_FIX, SECOND_FIX, FAIL_NOTE, PASS_NOTE, CITIZEN_NAME, CITIZEN_PHONE]

    result = run_child(__name__, {
        "base": live_server.url, "password": w.password, "name": "problem-loop",
        "screenshots": str(screenshot_dir(tmp_path)), "description": DESCRIPTION, "address": ADDRESS,
        "unit": UNIT_NAME, "citizen_name": CITIZEN_NAME, "citizen_phone": CITIZEN_PHONE,
        "masked_name": mask_name(CITIZEN_NAME), "masked_phone": mask_phone(CITIZEN_PHONE), "private": private,
        "citizen_photo": _photo(tmp_path / "现场.jpg", CITIZEN_GPS, (150, 120, 90)),
        "after_photos": [_photo(tmp_path / "整改后1.jpg", AFTER_GPS, (90, 160, 90)),
                         _photo(tmp_path / "整改后2.jpg", AFTER_GPS, (60, 180, 120))],
        "after_gps_text": f"{AFTER_GPS[0]:.5f}, {AFTER_GPS[1]:.5f}",
    })
    assert result["errors"] == [], "\n".join(result["errors"])
    assert result["csp"] == []

    problem = Problem.objects.get(tracking_code=result["code"])
    assert (problem.status, problem.rework_count, problem.source) == (ProblemStatus.CLOSED, 1, Source.CITIZEN)
    assert (problem.responsible_unit, problem.district) == (w.community, w.district)
    assert problem.reported_by is None
    assert problem.category.code == "SJ0101" and problem.address == ADDRESS and problem.closed_at is not None

    events = list(problem.events.order_by("at", "id").values_list("kind", "actor_id", "note", "is_public"))
    liaison, inspector = w.c1_liaison.pk, w.inspector.pk
    assert [e[:2] for e in events] == [
        ("report", None), ("assign", w.hq.pk), ("accept", liaison), ("submit", liaison),
        ("recheck_fail", inspector), ("submit", liaison), ("recheck_pass", inspector),
    ]
    assert [e[2] for e in events[3:]] == [FIRST_FIX, FAIL_NOTE, SECOND_FIX, PASS_NOTE]
    assert all(e[3] for e in events)

    # One audit entry per transition, by the person who made it, in the order they happened.
    kinds = [f"problem.{e[0]}" for e in events]
    audited = list(Entry.objects.filter(object_id=str(problem.pk), event__in=set(kinds))
                   .order_by("seq").values_list("event", "actor_id"))
    assert audited == [(f"problem.{kind}", actor) for kind, actor, *_ in events]

    # The citizen's photo: re-encoded without EXIF and no evidence row (their whereabouts are
    # not ours to keep).  The after photos: no EXIF in the file either, GPS kept as evidence.
    before = list(Attachment.objects.filter(owner_kind=PHOTO_BEFORE, owner_id=problem.pk))
    after = list(Attachment.objects.filter(owner_kind=PHOTO_AFTER, owner_id=problem.pk))
    assert len(before) == 1 and len(after) == 2
    assert not any(_has_exif(a) for a in before + after)
    assert not PhotoEvidence.objects.filter(attachment__in=before).exists()
    evidence = list(PhotoEvidence.objects.filter(attachment__in=after))
    assert len(evidence) == 2
    for ev in evidence:
        assert abs(ev.gps_lat - Decimal(str(AFTER_GPS[0]))) < Decimal("1e-6")
        assert abs(ev.gps_lng - Decimal(str(AFTER_GPS[1]))) < Decimal("1e-6")
        assert ev.taken_at is not None and ev.device

    # The summary the services kept counts the closure (and equals a recomputation).
    counters = ("reported", "assigned", "closed", "reworked")
    totals = ProblemDaily.objects.aggregate(**{k: Sum(k) for k in counters})
    assert totals == {"reported": 1, "assigned": 1, "closed": 1, "reworked": 1}
    today = timezone.localdate()
    start, end = today - timedelta(days=1), today + timedelta(days=1)
    assert summary_table(start, end) == recompute(start, end)
