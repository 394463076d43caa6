"""延期 (asked by the unit before the deadline, decided by HQ, the original deadline kept, the
summary moved with it) and 公开答复 (HQ's reply, shown on the citizen's tracking page)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.notifications.models import Notification
from chuangwen.problems import services
from chuangwen.problems.metrics import recompute, summary_table
from chuangwen.problems.models import ExtensionStatus, Problem, ProblemEvent, ProblemExtension, Source
from chuangwen.problems.services.public import problem_report_citizen

from .conftest import NOW, TZ, png

pytestmark = pytest.mark.django_db
# The rubbish limit is one working day: assigned Wednesday 10:00, due Thursday 17:30.
DUE = datetime(2026, 9, 17, 17, 30, tzinfo=TZ)
LATER = datetime(2026, 9, 22, 17, 30, tzinfo=TZ)


@pytest.fixture
def rectifying(world, reported):
    p = services.problem_assign(problem=reported, actor=world.hq)
    assert p.deadline == DUE
    return services.problem_accept(problem=p, actor=world.c1_liaison)


def ask(world, p, new=LATER, **kw):
    kw.setdefault("reason", "需采购井盖,到货需三天")
    return services.problem_extension_request(problem=p, actor=kw.pop("actor", world.c1_liaison), new_deadline=new, **kw)


def test_an_approved_extension_moves_the_deadline_and_keeps_the_original(world, rectifying):
    ext = ask(world, rectifying)
    assert ext.status == ExtensionStatus.PENDING and ext.old_deadline == DUE
    assert Notification.objects.filter(recipient=world.hq, kind="problem.extension").count() == 1
    services.problem_extension_decide(extension=ext, actor=world.hq, approve=True)
    p = Problem.objects.get(pk=rectifying.pk)
    assert p.deadline == LATER and p.original_deadline == DUE
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED and ext.decided_by == world.hq
    decided = ProblemEvent.objects.get(problem=p, kind="extension_decide")
    assert decided.is_public and "2026-09-22 17:30" in decided.note
    assert set(Entry.objects.filter(object_id=str(p.pk)).values_list("event", flat=True)) >= {
        "problem.extension_request", "problem.extension_decide"}
    assert Notification.objects.filter(recipient=world.c1_liaison, title__startswith="延期已同意").exists()


def test_the_summary_follows_the_extension(world, rectifying):
    start, end = NOW.date(), NOW.date() + timedelta(days=30)
    services.problem_extension_decide(extension=ask(world, rectifying), actor=world.hq, approve=True)
    stored = summary_table(start, end)
    assert stored == recompute(start, end)
    due_days = {key[0]: c for key, c in stored.items() if c.get("due")}
    assert list(due_days) == [LATER.date()] and due_days[LATER.date()]["due_extended"] == 1


def test_a_refusal_needs_a_reason_and_moves_nothing(world, rectifying):
    ext = ask(world, rectifying)
    with pytest.raises(ValidationError, match="须说明理由"):
        services.problem_extension_decide(extension=ext, actor=world.hq, approve=False)
    services.problem_extension_decide(extension=ext, actor=world.hq, approve=False, note="一天可以完成")
    p = Problem.objects.get(pk=rectifying.pk)
    assert p.deadline == DUE
    assert not ProblemEvent.objects.get(problem=p, kind="extension_decide").is_public
    with pytest.raises(ValidationError, match="已审批"):
        services.problem_extension_decide(extension=ext, actor=world.hq, approve=True)
    # A refused request leaves room for a new one.
    assert ask(world, p).status == ExtensionStatus.PENDING


@pytest.mark.parametrize("new, message", [
    (DUE, "应晚于"), (DUE - timedelta(hours=2), "应晚于"), (DUE + timedelta(days=61), "不能超过 60 天"),
])
def test_bad_new_deadlines_are_refused(world, rectifying, new, message):
    with pytest.raises(ValidationError, match=message):
        ask(world, rectifying, new=new)
    assert not ProblemExtension.objects.exists()


def test_only_once_pending_only_before_the_deadline_only_by_the_unit(world, rectifying):
    with pytest.raises(ValidationError, match="延期理由"):
        ask(world, rectifying, reason="  ")
    with pytest.raises(PermissionDenied):
        ask(world, rectifying, actor=world.e1_head)
    with pytest.raises(PermissionDenied):
        ask(world, rectifying, actor=world.hq)
    ask(world, rectifying)
    with pytest.raises(ValidationError, match="待审批"):
        ask(world, Problem.objects.get(pk=rectifying.pk), new=LATER + timedelta(days=1))
    assert ProblemExtension.objects.count() == 1
    with time_machine.travel(DUE + timedelta(minutes=1), tick=False), \
            pytest.raises(ValidationError, match="已超过整改时限"):
        ProblemExtension.objects.all().delete()
        ask(world, Problem.objects.get(pk=rectifying.pk))


def test_a_closed_problem_cannot_be_extended_and_a_late_approval_moves_nothing(world, rectifying):
    ext = ask(world, rectifying)
    p = services.problem_submit(problem=Problem.objects.get(pk=rectifying.pk), actor=world.c1_liaison,
                                photos=[png()])
    services.problem_recheck(problem=p, actor=world.inspector, passed=True)
    with pytest.raises(ValidationError, match="不能申请延期"):
        ask(world, Problem.objects.get(pk=p.pk), new=LATER + timedelta(days=1))
    services.problem_extension_decide(extension=ext, actor=world.hq, approve=True)
    assert Problem.objects.get(pk=p.pk).deadline == DUE


def test_a_stale_request_is_refused(world, rectifying):
    from chuangwen.problems.services import StaleVersion

    with pytest.raises(StaleVersion):
        ask(world, rectifying, expected_version=rectifying.version - 1)


# --- pages ------------------------------------------------------------------------------------------

def test_the_unit_asks_on_the_page_and_hq_decides_from_the_list(client, login, world, rectifying):
    login(world.c1_liaison)
    url = f"/problems/p/{rectifying.number}/"
    assert "申请延期" in client.get(url).content.decode()
    response = client.post(url + "extension/", {"version": rectifying.version, "new_date": "2026-09-22",
                                                "reason": "需采购井盖"})
    assert response.status_code == 302
    ext = ProblemExtension.objects.get()
    assert ext.new_deadline == LATER
    # The liaison cannot decide (not a dispatcher): refused, nothing changes.
    assert client.post(f"{url}extension/{ext.pk}/approve/", {"note": ""}).status_code == 403
    login(world.hq)
    listing = client.get("/problems/extensions/").content.decode()
    assert rectifying.number in listing and "需采购井盖" in listing
    response = client.post(f"{url}extension/{ext.pk}/approve/", {"note": "同意", "next": "extensions"})
    assert response.status_code == 302 and response.url == "/problems/extensions/"
    assert Problem.objects.get(pk=rectifying.pk).deadline == LATER
    assert "没有待审批的延期申请" in client.get("/problems/extensions/").content.decode()


def test_bad_page_input_is_a_message_not_a_change(client, login, world, rectifying):
    login(world.c1_liaison)
    url = f"/problems/p/{rectifying.number}/extension/"
    for data in ({"new_date": "明天", "reason": "x"}, {"new_date": "2026-09-22"}, {"new_date": "2026-09-10", "reason": "x"}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and response.context["messages"]
    assert not ProblemExtension.objects.exists()
    login(world.hq)
    assert client.post(f"/problems/p/{rectifying.number}/extension/999/approve/").status_code == 404
    assert client.post(f"/problems/p/{rectifying.number}/extension/1/maybe/").status_code == 404


def test_another_district_sees_no_extension(client, login, world, rectifying):
    ext = ask(world, rectifying)
    login(world.e1_head)
    assert client.post(f"/problems/p/{rectifying.number}/extension/{ext.pk}/approve/").status_code == 404
    assert client.get("/problems/extensions/").status_code == 403


# --- public reply -----------------------------------------------------------------------------------

def test_hq_replies_publicly_and_the_tracking_page_shows_it(client, login, world, routed, now):
    from chuangwen.problems.tests.conftest import png as photo

    p = problem_report_citizen(category=routed, description="井盖破损", photos=[photo()], address="和平路3号",
                               district=world.district, name="", phone="")
    with pytest.raises(PermissionDenied):
        services.problem_reply(problem=p, actor=world.c1_liaison, text="已处理")
    with pytest.raises(ValidationError, match="答复内容"):
        services.problem_reply(problem=p, actor=world.hq, text=" ")
    login(world.hq)
    response = client.post(f"/problems/p/{p.number}/reply/", {"version": p.version, "text": "已安排城管部门处理,感谢反映。"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.public_reply == "已安排城管部门处理,感谢反映。"
    assert Entry.objects.filter(event="problem.reply", object_id=str(p.pk)).exists()
    client.logout()
    tracking = client.get(f"/report/track/{p.tracking_code}/").content.decode()
    assert "已安排城管部门处理" in tracking and "答复" in tracking
    assert world.hq.full_name not in tracking
    assert p.source == Source.CITIZEN
