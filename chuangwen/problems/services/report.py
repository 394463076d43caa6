"""A new problem, from any source: the web form, the citizen page, Open311 and the API all call
`problem_report`."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.attachments.services import photos_stage, photos_store
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
    counter = NumberCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:  # the year's first report: create the row without racing another one
        NumberCounter.objects.bulk_create([NumberCounter(year=year, last=0)], ignore_conflicts=True)
        counter = NumberCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:06d}"


def tracking_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def problem_report(*, source: str, category, description: str, actor=None, severity: str = Severity.NORMAL,
                   district=None, address: str = "", lng=None, lat=None, photos=(), site=None) -> Problem:
    """Record a problem as reported (待交办), with the routing suggestion (the site's responsible
    unit, else the routing table) and, for a citizen's report, a tracking code.  `actor` is None
    for a citizen.  At a `site`, the site gives the district, and the address and coordinates
    when none are given."""
    problem = problem_draft(source=source, category=category, description=description, actor=actor,
                            severity=severity, district=district, address=address, lng=lng, lat=lat, site=site)
    # Re-encoded and written before the transaction (seconds for big photos, not under the
    # locks).  A citizen's photo keeps no metadata at all; a staff photo's time and GPS are kept
    # as evidence.
    staged = photos_stage(photos, evidence=actor is not None) if photos else []
    with transaction.atomic():
        problem_insert(problem, actor=actor, photos=staged)
    return problem


def problem_draft(*, source: str, category, description: str, actor=None, severity: str = Severity.NORMAL,
                  district=None, address: str = "", lng=None, lat=None, site=None) -> Problem:
    """The checks and the unsaved problem of `problem_report`, numberless: validated, routed and
    checked for a rebound.  Only reads, so it runs before the reporting transaction: a report
    holds the year's number (and on SQLite the write lock) from its first statement to its
    commit, so every report waits for the ones before it to finish theirs."""
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
    if site is not None:
        if not site.is_active:
            raise ValidationError(f"点位“{site}”已停用。")
        district = site.district
        address = address or site.address or site.name
        if lng is None:
            lng, lat = site.lng, site.lat
    problem = Problem(
        number="", source=source, category=category, severity=severity,
        description=description.strip(), site=site, district=district, address=address.strip(), lng=lng,
        lat=lat, reported_by=actor if getattr(actor, "pk", None) else None,
        suggested_unit=suggest_unit(category=category, district=district, site=site),
        tracking_code=tracking_code() if source == Source.CITIZEN else None,
    )
    problem.full_clean(exclude=["number"])
    # A rebound's original is a closed problem, so a report committed meanwhile cannot be one.
    problem.rebound_of = rebound_of(problem)
    return problem


def problem_insert(problem: Problem, *, actor, photos=()) -> Problem:
    """Save a `problem_draft` with its staged photos (`photos_stage`), timeline event, summary
    and audit entry; call inside the reporting transaction.  The number is taken last before the
    insert, and the report's time with it, so numbers follow the reporting times."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("problem_insert runs inside the reporting transaction")
    problem.number = next_number(timezone.localdate().year)
    problem.reported_at = timezone.now()
    problem.save(force_insert=True)
    if photos:
        photos_store(photos, owner_kind=PHOTO_BEFORE, owner_id=problem.pk, actor=actor,
                     evidence=actor is not None)
    event(problem, ProblemEventKind.REPORT, actor, to_status=problem.status, public=True,
          note=f"{problem.get_source_display()}:{problem.category.name}")
    summary_after(problem, summary_before(None))
    record("problem.report", actor=actor, obj=problem,
           changes={"number": [None, problem.number], "source": [None, problem.source],
                    "category": [None, problem.category.code],
                    **({"site": [None, problem.site.code]} if problem.site_id is not None else {})})
    return problem
