"""The staff problem pages: each persona sees its own page and nothing outside its scope, the
dispatch desk assigns in bulk, the recheck queue passes and fails, the reporter's phone is
masked and unmasked only with an audit entry."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from chuangwen.attachments.models import Attachment, PhotoEvidence
from chuangwen.attachments.tests.samples import phone_photo, upload
from chuangwen.audit.models import Entry
from chuangwen.problems import services
from chuangwen.problems.models import Problem, ProblemStatus, Source
from chuangwen.problems.services.public import problem_report_citizen
from chuangwen.problems.services.report import PHOTO_AFTER, PHOTO_BEFORE

from .conftest import png
from .pages_support import raw_contact

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def photo(name="现场.jpg"):
    return upload(name, phone_photo(), "image/jpeg")


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def assigned(world, reported):
    return services.problem_assign(problem=reported, actor=world.hq)


@pytest.fixture
def submitted(world, assigned):
    p = services.problem_accept(problem=assigned, actor=world.c1_head)
    return services.problem_submit(problem=p, actor=world.c1_liaison, photos=[png()], note="已清理")


def report(world, category, **kw):
    kw.setdefault("district", world.district)
    return services.problem_report(source=kw.pop("source", Source.INSPECTION), category=category,
                                   description=kw.pop("description", "路边暴露垃圾"), actor=world.inspector, **kw)


# --- personas and scope ---------------------------------------------------------------------------

def test_pages_render_for_each_persona(client, login, world, assigned):
    login(world.hq)
    assert client.get("/problems/").url == "/problems/desk/"
    for url in ("/problems/desk/", "/problems/recheck/", "/problems/new/", f"/problems/p/{assigned.number}/"):
        assert client.get(url).status_code == 200, url
    login(world.c1_head)
    page = body(client.get("/problems/"))
    assert assigned.number in page and "待签收" in page
    assert client.get(f"/problems/p/{assigned.number}/").status_code == 200
    assert client.get("/problems/desk/").status_code == 403
    login(world.inspector)
    assert client.get("/problems/").url == "/problems/recheck/"
    assert assigned.number in body(client.get("/problems/?tab=reported"))
    login(world.outsider)
    assert client.get("/problems/").status_code == 403
    assert client.get(f"/problems/p/{assigned.number}/").status_code == 403


def test_the_nav_offers_problems_to_business_roles(client, login, world):
    login(world.c1_head)
    assert "问题整改" in body(client.get("/"))
    login(world.outsider)
    assert "问题整改" not in body(client.get("/"))


def test_another_district_gets_404_and_lists_never_leak(client, login, world, submitted):
    login(world.e1_head)
    number = submitted.number
    assert client.get(f"/problems/p/{number}/").status_code == 404
    assert client.post(f"/problems/p/{number}/act/return/", {"note": "不是我们的"}).status_code == 404
    assert client.post(f"/problems/p/{number}/reporter-phone/").status_code == 404
    for tab in ("pending", "rectifying", "rework", "recheck", "closed", "reported"):
        assert number not in body(client.get(f"/problems/?tab={tab}")), tab
    submitted.refresh_from_db()
    assert submitted.status == ProblemStatus.AWAITING_RECHECK
    # The photos' download links are scoped the same way.
    after = Attachment.objects.get(owner_kind=PHOTO_AFTER, owner_id=submitted.pk)
    assert client.get(after.get_absolute_url()).status_code == 404


def test_a_number_that_is_not_a_number_is_404(client, login, world):
    login(world.hq)
    assert client.get("/problems/p/..%2F1/").status_code == 404
    assert client.get("/problems/p/2026000999/").status_code == 404


# --- the dispatch desk ----------------------------------------------------------------------------

def test_desk_lists_what_waits_with_the_suggestion_and_filters(client, login, world, routed, now):
    from chuangwen.problems.models import Category

    toilet = Category.objects.get(code="BJ0301")
    a = report(world, routed)
    b = report(world, toilet, source=Source.MEDIA)
    c = report(world, routed)
    services.problem_assign(problem=c, actor=world.hq)
    login(world.hq)
    page = body(client.get("/problems/desk/"))
    assert a.number in page and b.number in page and c.number not in page
    assert world.community.name in page and "(无建议)" in page
    assert page.index(b.number) < page.index(a.number)  # newest first
    page = body(client.get(f"/problems/desk/?category={routed.code}"))
    assert a.number in page and b.number not in page
    page = body(client.get("/problems/desk/?source=media"))
    assert b.number in page and a.number not in page
    page = body(client.get(f"/problems/desk/?district={world.other_district.code}"))
    assert a.number not in page and b.number not in page


def test_desk_pages_by_keyset(client, login, world, routed, now):
    made = [report(world, routed) for _ in range(31)]
    login(world.hq)
    first = body(client.get("/problems/desk/"))
    assert made[-1].number in first and made[0].number not in first
    cursor = re.search(r"before=(\d+)", first).group(1)
    second = body(client.get(f"/problems/desk/?before={cursor}"))
    assert made[0].number in second and made[-1].number not in second


def test_desk_queries_are_bounded(client, login, world, routed, now, django_assert_max_num_queries):
    for _ in range(12):
        report(world, routed)
    login(world.hq)
    client.get("/problems/desk/")  # warm the session and the user
    # Session, user, the count (bounded), the page, categories and districts for the filters.
    with django_assert_max_num_queries(7):
        assert client.get("/problems/desk/").status_code == 200


def test_bulk_assign_goes_to_each_suggestion_and_reports_refusals(client, login, world, routed, now):
    a, b = report(world, routed), report(world, routed)
    lost = report(world, routed, district=None)  # no district: no suggestion
    stale = report(world, routed)
    login(world.hq)
    response = client.post("/problems/desk/act/", {
        "op": "assign", "ids": [a.pk, b.pk, lost.pk, stale.pk], "unit": "",
        f"v{a.pk}": a.version, f"v{stale.pk}": stale.version - 1}, follow=True)
    page = body(response)
    assert "已交办 2 件问题" in page
    assert f"{lost.number} 未交办:请选择责任单位" in page
    assert f"{stale.number} 未交办:该问题已被他人修改" in page
    statuses = dict(Problem.objects.filter(pk__in=[a.pk, b.pk, lost.pk, stale.pk]).values_list("pk", "status"))
    assert statuses == {a.pk: "assigned", b.pk: "assigned", lost.pk: "reported", stale.pk: "reported"}
    assert Problem.objects.get(pk=a.pk).responsible_unit == world.community


def test_bulk_assign_to_one_chosen_unit(client, login, world, routed, now):
    a, b = report(world, routed), report(world, routed, district=None)
    login(world.hq)
    client.post("/problems/desk/act/", {"op": "assign", "ids": [a.pk, b.pk], "unit": world.community2.code})
    assert set(Problem.objects.filter(pk__in=[a.pk, b.pk]).values_list("responsible_unit", flat=True)) == {
        world.community2.pk}


def test_bulk_void_needs_a_reason_and_skips_what_has_moved(client, login, world, routed, now):
    a, b = report(world, routed), report(world, routed)
    services.problem_assign(problem=b, actor=world.hq)
    login(world.hq)
    page = body(client.post("/problems/desk/act/", {"op": "void", "ids": [a.pk]}, follow=True))
    assert "作废须填写理由" in page
    assert Problem.objects.get(pk=a.pk).status == ProblemStatus.REPORTED
    page = body(client.post("/problems/desk/act/", {"op": "void", "ids": [a.pk, b.pk], "reason": "重复上报"},
                            follow=True))
    assert "已作废 1 件问题" in page and "1 件问题已不在待交办状态" in page
    assert Problem.objects.get(pk=a.pk).status == ProblemStatus.VOIDED
    assert Problem.objects.get(pk=b.pk).status == ProblemStatus.ASSIGNED


def test_the_desk_refuses_whoever_does_not_dispatch(client, login, world, reported):
    login(world.c1_head)
    assert client.post("/problems/desk/act/", {"op": "assign", "ids": [reported.pk]}).status_code == 403
    assert client.get("/problems/desk/act/").status_code in (403, 405)
    reported.refresh_from_db()
    assert reported.status == ProblemStatus.REPORTED


# --- the unit's page and the detail ---------------------------------------------------------------

def test_unit_tabs_count_and_flag_overdue(client, login, world, assigned):
    login(world.c1_liaison)
    page = body(client.get("/problems/?tab=pending"))
    assert assigned.number in page and "已超期" not in page
    assert assigned.number not in body(client.get("/problems/?tab=closed"))
    with time_machine.travel(assigned.deadline + timedelta(minutes=1), tick=False):
        login(world.c1_liaison)  # a day later: a new session
        page = body(client.get("/problems/?tab=pending"))
        assert "已超期" in page and "有 1 件问题已超过整改时限" in page
        assert "黄色催办" in page  # late by under CHUANGWEN_PROBLEM_RED_AFTER_HOURS working hours
    with time_machine.travel(assigned.deadline + timedelta(days=6), tick=False):
        login(world.c1_liaison)
        assert "红色督办" in body(client.get("/problems/?tab=pending"))


def test_unit_list_queries_are_bounded(client, login, world, routed, now, django_assert_max_num_queries):
    for _ in range(10):
        services.problem_assign(problem=report(world, routed), actor=world.hq)
    login(world.c1_head)
    client.get("/problems/?tab=pending")
    # Session, user, duty posts, scope (posts, linkages, groups), the page, the working-day calendar
    # for the colours, tab counts, overdue, unit names: none of it grows with the rows.
    with django_assert_max_num_queries(12):
        page = body(client.get("/problems/?tab=pending"))
    assert page.count("/problems/p/") == 10


def test_detail_offers_only_the_persons_actions(client, login, world, assigned):
    login(world.c1_head)
    page = body(client.get(f"/problems/p/{assigned.number}/"))
    assert 'data-action="accept"' in page and "退回" in page
    assert f"/problems/p/{assigned.number}/act/assign/" not in page
    login(world.hq)
    page = body(client.get(f"/problems/p/{assigned.number}/"))
    assert 'data-action="accept"' not in page and f"/act/void/" in page
    assert 'name="version" value="%d"' % assigned.version in page


def test_accept_and_submit_through_the_detail_page(client, login, world, assigned):
    login(world.c1_liaison)
    client.post(f"/problems/p/{assigned.number}/act/accept/", {"version": assigned.version})
    assigned.refresh_from_db()
    assert assigned.status == ProblemStatus.RECTIFYING
    page = body(client.post(f"/problems/p/{assigned.number}/act/submit/", {"version": assigned.version},
                            follow=True))
    assert "请上传整改后照片" in page
    client.post(f"/problems/p/{assigned.number}/act/submit/", {
        "version": assigned.version, "note": "已清理", "photos": [photo("整改后.jpg")]})
    assigned.refresh_from_db()
    assert assigned.status == ProblemStatus.AWAITING_RECHECK
    stored = Attachment.objects.get(owner_kind=PHOTO_AFTER, owner_id=assigned.pk)
    # Staff photos: the stored file carries no metadata, the evidence is in the database.
    assert PhotoEvidence.objects.filter(attachment=stored, gps_lat__isnull=False).exists()


def test_a_stale_form_is_refused_with_a_message(client, login, world, assigned):
    login(world.c1_head)
    page = body(client.post(f"/problems/p/{assigned.number}/act/accept/", {"version": assigned.version - 1},
                            follow=True))
    assert "已被他人修改" in page
    assigned.refresh_from_db()
    assert assigned.status == ProblemStatus.ASSIGNED


def test_actions_refuse_get(client, login, world, assigned):
    login(world.c1_head)
    assert client.get(f"/problems/p/{assigned.number}/act/accept/").status_code == 405


def test_staff_report_keeps_photo_evidence(client, login, world, routed, now):
    login(world.inspector)
    response = client.post("/problems/new/", {
        "source": "inspection", "category": routed.code, "severity": "serious", "district": world.district.code,
        "address": "和平路12号", "description": "绿地暴露垃圾", "photos": [photo()]})
    problem = Problem.objects.get(description="绿地暴露垃圾")
    assert response.url == f"/problems/p/{problem.number}/"
    assert problem.suggested_unit == world.community and problem.severity == "serious"
    stored = Attachment.objects.get(owner_kind=PHOTO_BEFORE, owner_id=problem.pk)
    assert stored.content_type == "image/jpeg"
    assert PhotoEvidence.objects.filter(attachment=stored).exists()


def test_staff_report_form_errors_create_nothing(client, login, world, routed):
    login(world.inspector)
    before = Problem.objects.count()
    response = client.post("/problems/new/", {"source": "citizen", "category": "", "description": "",
                                              "photos": [upload("a.jpg", b"not an image", "image/jpeg")]})
    page = body(response)
    assert response.status_code == 200 and "请选择问题类别" in page and "a.jpg" in page
    assert Problem.objects.count() == before


# --- the recheck queue ----------------------------------------------------------------------------

def test_recheck_fail_then_pass_through_the_queue(client, login, world, submitted):
    login(world.inspector)
    page = body(client.get("/problems/recheck/"))
    after = Attachment.objects.get(owner_kind=PHOTO_AFTER, owner_id=submitted.pk)
    assert submitted.number in page and after.get_absolute_url() in page and "btn-lg" in page
    response = client.post(f"/problems/p/{submitted.number}/act/recheck_fail/",
                           {"version": submitted.version, "next": "recheck", "note": ""}, follow=True)
    assert response.redirect_chain[-1][0] == "/problems/recheck/" and "须填写理由" in body(response)
    client.post(f"/problems/p/{submitted.number}/act/recheck_fail/",
                {"version": submitted.version, "next": "recheck", "note": "仍有残留"})
    submitted.refresh_from_db()
    assert submitted.status == ProblemStatus.REWORK and submitted.rework_count == 1
    assert f"/problems/p/{submitted.number}/act/" not in body(client.get("/problems/recheck/"))
    p = services.problem_submit(problem=submitted, actor=world.c1_head, photos=[png()])
    response = client.post(f"/problems/p/{p.number}/act/recheck_pass/", {"version": p.version, "next": "recheck"},
                           follow=True)
    assert "复查通过,问题已销号" in body(response)
    p.refresh_from_db()
    assert p.status == ProblemStatus.CLOSED


def test_the_fixer_cannot_pass_their_own_work(client, login, world, submitted):
    from chuangwen.accounts.services import user_set_roles

    # Holding the inspector role too, someone of the responsible unit still may not close it.

    user_set_roles(user=world.c1_liaison, roles=["liaison", "inspector"], actor=world.secadmin)
    login(world.c1_liaison)
    page = body(client.post(f"/problems/p/{submitted.number}/act/recheck_pass/", {"version": submitted.version},
                            follow=True))
    assert "整改单位以外" in page
    submitted.refresh_from_db()
    assert submitted.status == ProblemStatus.AWAITING_RECHECK


def test_recheck_queue_queries_are_bounded(client, login, world, routed, now, django_assert_max_num_queries):
    for _ in range(6):
        p = services.problem_assign(problem=report(world, routed), actor=world.hq)
        p = services.problem_accept(problem=p, actor=world.c1_head)
        services.problem_submit(problem=p, actor=world.c1_head, photos=[png()])
    login(world.inspector)
    client.get("/problems/recheck/")
    # Whatever the number of problems: the page, then the before and after photos in one query each.
    with django_assert_max_num_queries(9):
        page = body(client.get("/problems/recheck/"))
    assert page.count("未通过,返工") == 6


# --- the reporter's phone -----------------------------------------------------------------------------

@pytest.fixture
def citizen_problem(world, routed, now):
    return problem_report_citizen(category=routed, description="垃圾桶满溢", photos=[photo()],
                                  district=world.district, address="和平路", name="张三丰", phone="138 1234 5678")


def test_phone_is_stored_encrypted_and_shown_masked(client, login, world, citizen_problem):
    from chuangwen.lib.pi import phone_index

    raw = raw_contact(citizen_problem.pk)
    assert PHONE not in "".join(raw) and "张三丰" not in "".join(raw)
    assert raw[2] == phone_index(PHONE)
    services.problem_assign(problem=citizen_problem, actor=world.hq)
    for person in (world.hq, world.c1_head, world.district_head):
        login(person)
        page = body(client.get(f"/problems/p/{citizen_problem.number}/"))
        assert "138****5678" in page and "张**" in page, person
        assert PHONE not in page and "张三丰" not in page, person
        assert ("查看完整号码" in page) == (person == world.hq)


def test_unmasking_is_audited_and_refused_without_the_verb(client, login, world, citizen_problem):
    services.problem_assign(problem=citizen_problem, actor=world.hq)
    before = Entry.objects.filter(event="pi.unmask").count()
    login(world.hq)
    response = client.post(f"/problems/p/{citizen_problem.number}/reporter-phone/", {"reason": "回访"})
    assert response.status_code == 200 and PHONE in body(response)
    assert "no-store" in response["Cache-Control"]
    assert Entry.objects.filter(event="pi.unmask").count() == before + 1
    entry = Entry.objects.filter(event="pi.unmask").latest("seq")
    assert entry.actor_id == world.hq.pk and PHONE not in str(entry.changes)
    login(world.c1_head)
    response = client.post(f"/problems/p/{citizen_problem.number}/reporter-phone/")
    assert response.status_code == 403 and PHONE not in body(response)
    assert Entry.objects.filter(event="pi.unmask").count() == before + 1
    assert Entry.objects.filter(event="permission.denied", actor_id=world.c1_head.pk).exists()
    assert client.get(f"/problems/p/{citizen_problem.number}/reporter-phone/").status_code == 405
