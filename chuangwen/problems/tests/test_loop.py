"""The rectification loop: every transition, every illegal move, the recheck rule, scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.problems import services
from chuangwen.problems.models import Problem, ProblemEvent, ProblemStatus, Source
from chuangwen.problems.selectors import problems_visible_to
from chuangwen.problems.transitions import TRANSITIONS

from .conftest import NOW, png

pytestmark = pytest.mark.django_db


def kinds(problem):
    return list(ProblemEvent.objects.filter(problem=problem).values_list("kind", flat=True))


def test_report_numbers_and_suggests_the_routed_unit(world, reported):
    assert reported.number == "2026000001" and reported.status == ProblemStatus.REPORTED
    assert reported.suggested_unit == world.community and reported.tracking_code is None
    second = services.problem_report(source=Source.CITIZEN, category=reported.category, description="又一处")
    assert second.number == "2026000002" and len(second.tracking_code) == 10


def test_assign_computes_the_deadline_and_snapshots(world, reported):
    p = services.problem_assign(problem=reported, actor=world.hq)
    assert p.status == ProblemStatus.ASSIGNED and p.responsible_unit == world.community
    assert p.responsible_name == world.c1_head.full_name
    # 暴露垃圾, normal: 1 working day -> close of Thursday the 17th.
    assert p.deadline.isoformat() == "2026-09-17T17:30:00+08:00"


def test_full_loop_with_rework(world, reported):
    p = services.problem_assign(problem=reported, actor=world.hq)
    p = services.problem_accept(problem=p, actor=world.c1_liaison)
    with pytest.raises(ValidationError, match="整改后照片"):
        services.problem_submit(problem=p, actor=world.c1_liaison)
    p = services.problem_submit(problem=p, actor=world.c1_liaison, photos=[png()], note="已清理")
    p = services.problem_recheck(problem=p, actor=world.inspector, passed=False, note="仍有残留")
    assert p.status == ProblemStatus.REWORK and p.rework_count == 1
    p = services.problem_submit(problem=p, actor=world.c1_head, photos=[png()])
    p = services.problem_recheck(problem=p, actor=world.inspector, passed=True, note="已整改到位")
    assert p.status == ProblemStatus.CLOSED and p.closed_at == NOW
    assert kinds(p) == ["report", "assign", "accept", "submit", "recheck_fail", "submit", "recheck_pass"]
    events = set(Entry.objects.filter(object_type="problems.problem", object_id=str(p.pk)).values_list("event", flat=True))
    assert {"problem.assign", "problem.accept", "problem.submit", "problem.recheck_fail",
            "problem.recheck_pass"} <= events


def test_the_fixer_cannot_recheck(world, reported):
    from chuangwen.accounts.services import user_set_roles

    p = services.problem_assign(problem=reported, actor=world.hq)
    services.problem_accept(problem=p, actor=world.c1_head)
    p = services.problem_submit(problem=p, actor=world.c1_head, photos=[png()])
    # Even holding the inspector role, someone of the responsible unit may not close it.
    user_set_roles(user=world.c1_head, roles=["unit_head", "inspector"], actor=world.secadmin)
    world.c1_head.refresh_from_db()
    with pytest.raises(ValidationError, match="整改单位以外"):
        services.problem_recheck(problem=p, actor=world.c1_head, passed=True)
    p.refresh_from_db()
    assert p.status == ProblemStatus.AWAITING_RECHECK


def test_return_goes_back_to_dispatch(world, reported):
    p = services.problem_assign(problem=reported, actor=world.hq)
    with pytest.raises(ValidationError, match="理由"):
        services.problem_return(problem=p, actor=world.c1_head, reason="")
    p = services.problem_return(problem=p, actor=world.c1_head, reason="不在本社区辖区")
    assert p.status == ProblemStatus.RETURNED and p.responsible_unit is None
    p = services.problem_assign(problem=p, actor=world.hq, unit=world.community2)
    assert p.responsible_unit == world.community2


def test_park_needs_approval(world, reported):
    p = services.problem_assign(problem=reported, actor=world.hq)
    p = services.problem_accept(problem=p, actor=world.c1_head)
    p = services.problem_request_park(problem=p, actor=world.c1_head, reason="需列入明年改造计划")
    assert p.status == ProblemStatus.PARK_REQUESTED
    with pytest.raises(PermissionDenied):
        services.problem_decide_park(problem=p, actor=world.c1_head, approve=True)
    p = services.problem_decide_park(problem=p, actor=world.hq, approve=True)
    assert p.status == ProblemStatus.PARKED
    p = services.problem_unpark(problem=p, actor=world.hq)
    assert p.status == ProblemStatus.RECTIFYING


def test_void_needs_a_reason(world, reported):
    with pytest.raises(ValidationError, match="理由"):
        services.problem_void(problem=reported, actor=world.hq, reason=" ")
    assert services.problem_void(problem=reported, actor=world.hq, reason="重复上报").status == ProblemStatus.VOIDED


@pytest.mark.parametrize("action,status", [
    (a, s) for a, t in TRANSITIONS.items() for s in ProblemStatus.values if s not in t.sources][:40])
def test_illegal_moves_change_nothing(world, reported, action, status):
    from chuangwen.problems.services.common import transition

    Problem.objects.filter(pk=reported.pk).update(status=status, responsible_unit=world.community)
    reported.refresh_from_db()
    actor = {"dispatch": world.hq, "unit": world.c1_head, "checker": world.inspector}[TRANSITIONS[action].party]
    before = (reported.version, ProblemEvent.objects.filter(problem=reported).count())
    with pytest.raises(ValidationError, match="不能"):
        transition(reported, action, actor, note="理由")
    reported.refresh_from_db()
    assert reported.status == status
    assert (reported.version, ProblemEvent.objects.filter(problem=reported).count()) == before


def test_wrong_unit_is_refused_and_audited(world, reported):
    p = services.problem_assign(problem=reported, actor=world.hq)
    with pytest.raises(PermissionDenied, match="责任单位"):
        services.problem_accept(problem=p, actor=world.e1_head)
    assert Entry.objects.filter(event="permission.denied", actor_id=world.e1_head.pk).exists()


def test_stale_version_is_refused(world, reported):
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.problem_assign(problem=reported, actor=world.hq, expected_version=reported.version - 1)


def test_scope(world, reported):
    services.problem_assign(problem=reported, actor=world.hq)
    assert problems_visible_to(world.c1_head).filter(pk=reported.pk).exists()
    assert problems_visible_to(world.district_head).filter(pk=reported.pk).exists()
    assert not problems_visible_to(world.e1_head).filter(pk=reported.pk).exists()
    assert not problems_visible_to(world.outsider).exists()


def test_citizen_photo_keeps_nothing_while_the_after_photo_keeps_evidence(world, reported, routed):
    from decimal import Decimal

    from chuangwen.attachments.models import Attachment, PhotoEvidence
    from chuangwen.attachments.tests.samples import phone_photo, photo_exif, upload

    def gps_jpeg():
        exif = photo_exif(gps=(28.2001, 112.9402), taken="2026:09:16 09:30:00", make="Phone")
        return upload("现场.jpg", phone_photo(exif=exif), "image/jpeg")

    citizen = services.problem_report(source=Source.CITIZEN, category=routed, description="垃圾",
                                      photos=[gps_jpeg()])
    [before] = Attachment.objects.filter(owner_kind=services.PHOTO_BEFORE, owner_id=citizen.pk)
    assert not PhotoEvidence.objects.filter(attachment=before).exists()
    p = services.problem_assign(problem=reported, actor=world.hq)
    services.problem_accept(problem=p, actor=world.c1_head)
    services.problem_submit(problem=p, actor=world.c1_head, photos=[gps_jpeg()])
    [after] = Attachment.objects.filter(owner_kind=services.PHOTO_AFTER, owner_id=p.pk)
    evidence = PhotoEvidence.objects.get(attachment=after)
    assert abs(evidence.gps_lat - Decimal("28.2001")) < Decimal("0.000001")
    from chuangwen.attachments import storage
    from PIL import Image

    for stored in (before, after):
        assert not Image.open(storage.blob_path(stored.blob)).getexif()
