"""Deputies' visits (人大代表/政协委员视察): record the visit, then each finding as a problem in the
rectification loop (source 人大政协视察) through `problems.services.problem_report`, which
routes it (site's unit, else the routing table), numbers it and counts it in the summary; the
finding ties the problem back to the visit."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from chuangwen.accounts.permissions import require_verb
from chuangwen.attachments.services import photos_store, prepare_photos
from chuangwen.audit.log import record
from chuangwen.problems.models import Severity, Source
from chuangwen.problems.services import PHOTO_BEFORE, problem_assign, problem_report

from ..models import Finding, Visit, VisitKind
from .common import MANAGE
from .instructions import _check_date


def visit_create(*, kind: str, date: date, title: str, members: str, actor, member_people=(), sites=(),
                 summary: str = "") -> Visit:
    require_verb(actor, MANAGE)
    if kind not in VisitKind.values:
        raise ValidationError("请选择视察类型。")
    _check_date(date, "视察日期")
    if not title.strip():
        raise ValidationError("请填写视察主题。")
    if not members.strip():
        raise ValidationError("请填写参加视察的人员。")
    sites = list(dict.fromkeys(sites))
    inactive = [s.name for s in sites if not s.is_active]
    if inactive:
        raise ValidationError("以下点位已停用:" + "、".join(inactive))
    people = list(dict.fromkeys(member_people))
    with transaction.atomic():
        visit = Visit(kind=kind, date=date, title=title.strip(), members=members.strip(),
                      summary=summary.strip(), created_by=actor)
        visit.full_clean()
        visit.save()
        if sites:
            visit.sites.set(sites)
        if people:
            visit.member_people.set(people)
        record("visit.create", actor=actor, obj=visit,
               changes={"kind": [None, kind], "date": [None, str(date)], "title": [None, visit.title],
                        "sites": [None, [s.code for s in sites]], "members": [None, visit.members]})
    return visit


def finding_report(*, visit: Visit, description: str, category, actor, site=None, district=None,
                   address: str = "", severity: str = Severity.NORMAL, photos=(), raised_by: str = "",
                   assign_to=None) -> Finding:
    """A finding of the visit, reported as a problem (before photos kept as staff evidence);
    with `assign_to` it is assigned (交办) to that unit at once, else it waits on HQ's desk
    with the routing suggestion."""
    require_verb(actor, MANAGE)
    # Checked here, outside the transaction, so a denial's audit entry is not rolled back.
    require_verb(actor, "problem.report")
    if assign_to is not None:
        require_verb(actor, "problem.dispatch")
    if category is None:
        raise ValidationError("请选择问题类别。")
    if not description.strip():
        raise ValidationError("请描述发现的问题。")
    if site is None and district is None and not address.strip():
        raise ValidationError("请填写问题所在的点位、区县或地点。")
    # Re-encoded before the transaction (seconds for big photos, not under the write lock).
    prepared = prepare_photos(photos, keep_evidence=True) if photos else []
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        problem = problem_report(source=Source.DEPUTY, category=category, description=description.strip(),
                                 actor=actor, severity=severity, district=district, address=address,
                                 site=site)
        if prepared:
            photos_store(prepared, owner_kind=PHOTO_BEFORE, owner_id=problem.pk, actor=actor, evidence=True)
        number = (locked.findings.aggregate(n=Max("number"))["n"] or 0) + 1
        finding = Finding(visit=locked, number=number, problem=problem, raised_by=raised_by.strip()[:100])
        finding.full_clean()
        finding.save()
        locked.version += 1
        locked.save(update_fields=["version"])
        record("visit.finding", actor=actor, obj=locked,
               changes={"number": [None, number], "problem": [None, problem.number],
                        "category": [None, category.code], "raised_by": [None, finding.raised_by]})
        if assign_to is not None:
            finding.problem = problem_assign(problem=problem, actor=actor, unit=assign_to)
    return finding
