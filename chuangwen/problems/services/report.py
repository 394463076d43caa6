"""A new problem, from any source: the web form, the citizen page, Open311 and the API all call
`problem_report`."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.attachments.photos import prepare_photos
from chuangwen.attachments.services import photos_store
from chuangwen.audit.log import record

from ..duplicates import rebound_of
from ..models import NumberCounter, Problem, ProblemEventKind, Severity, Source
from ..routing import suggest_unit
from .common import event
from .summary import summary_after, summary_before

PHOTO_BEFORE = "problems.before"
PHOTO_AFTER = "problems.after"
# Unambiguous characters for a code read over the phone (no 0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def next_number(year: int) -> str:
    """一件一号: <year><6 digits>, without gaps; call inside the reporting transaction."""
    NumberCounter.objects.bulk_create([NumberCounter(year=year, last=0)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:06d}"


def tracking_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def problem_report(*, source: str, category, description: str, actor=None, severity: str = Severity.NORMAL,
                   district=None, address: str = "", lng=None, lat=None, photos=()) -> Problem:
    """Record a problem as reported (待交办), with the routing table's suggestion and, for a
    citizen's report, a tracking code.  `actor` is None for a citizen."""
    if actor is not None:
        require_verb(actor, "problem.report")
    elif source != Source.CITIZEN:
        raise ValidationError("只有随手拍可以匿名上报。")
    if not description.strip():
        raise ValidationError("请描述问题。")
    if not category.is_active:
        raise ValidationError("该问题类别已停用。")
    if (lng is None) != (lat is None):
        raise ValidationError("经纬度须同时填写。")
    # Re-encoded before the transaction (seconds for big photos, not under the write lock).  A
    # citizen's photo keeps no metadata at all; a staff photo's time and GPS are kept as evidence.
    prepared = prepare_photos(photos, keep_evidence=actor is not None) if photos else []
    with transaction.atomic():
        problem = Problem(
            number=next_number(timezone.localdate().year), source=source, category=category, severity=severity,
            description=description.strip(), district=district, address=address.strip(), lng=lng, lat=lat,
            reported_by=actor if getattr(actor, "pk", None) else None,
            suggested_unit=suggest_unit(category=category, district=district),
            tracking_code=tracking_code() if source == Source.CITIZEN else None,
        )
        problem.full_clean(exclude=["number"])
        problem.rebound_of = rebound_of(problem)
        problem.save()
        if prepared:
            photos_store(prepared, owner_kind=PHOTO_BEFORE, owner_id=problem.pk, actor=actor,
                         evidence=actor is not None)
        event(problem, ProblemEventKind.REPORT, actor, to_status=problem.status, public=True,
              note=f"{problem.get_source_display()}:{problem.category.name}")
        summary_after(problem, summary_before(None))
        record("problem.report", actor=actor, obj=problem,
               changes={"number": [None, problem.number], "source": [None, source],
                        "category": [None, category.code]})
    return problem
