"""Problems seen before: duplicates (重复上报) and rebounds (反弹), and the public status that
follows a merge.  Reads only; the merge itself is `services.merge.problem_merge`.

"The same place" is the same registered site (点位), or within NEAR_METRES — a bounding box on lng/lat in SQL (on the rows the
(category, reported_at) index has already narrowed), then the exact great-circle distance
(chuangwen.places.geo) — or the same address text (stripped, exact), which is all a report
without coordinates has.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from chuangwen.places.geo import bounding_box, haversine_m

from .models import Problem, ProblemStatus

__all__ = ["DUPLICATE_WITHIN", "NEAR_METRES", "REBOUND_WITHIN", "PublicStatus", "duplicate_candidates",
           "public_status", "rebound_of"]

NEAR_METRES = 50
# A problem reported again within this many days of another at the same place is a duplicate.
DUPLICATE_WITHIN = timedelta(days=7)
# ...and one closed within this many days before is a rebound (反弹).
REBOUND_WITHIN = timedelta(days=90)
# How far back a rebound's report may lie.  Only an index bound: problems_recent is
# (category, reported_at), and a problem closed in the last 90 days was reported within a year
# unless it was parked for longer (those are not what 反弹 tracks).
REBOUND_REPORTED_WITHIN = timedelta(days=365)


def _has_point(problem: Problem) -> bool:
    return problem.lng is not None and problem.lat is not None


def _same_place(problem: Problem, qs: QuerySet[Problem]) -> list[Problem]:
    """The problems of `qs` at `problem`'s place: at the same site, within NEAR_METRES of its
    coordinates, or with the same (non-empty) address text; nearest first, then same-site, then
    address-only matches."""
    found: dict[int, tuple[float, Problem]] = {}
    if problem.site_id is not None:
        for p in qs.filter(site_id=problem.site_id):
            found[p.pk] = (NEAR_METRES + 1, p)
    if _has_point(problem):
        min_lng, min_lat, max_lng, max_lat = bounding_box(problem.lng, problem.lat, NEAR_METRES)
        here = (float(problem.lng), float(problem.lat))
        for p in qs.filter(lng__gte=min_lng, lng__lte=max_lng, lat__gte=min_lat, lat__lte=max_lat):
            distance = haversine_m(here, (p.lng, p.lat))
            if distance <= NEAR_METRES:
                found[p.pk] = min(found.get(p.pk, (math.inf, p)), (distance, p), key=lambda pair: pair[0])
    address = problem.address.strip()
    if address:
        for p in qs.filter(address=address):
            found.setdefault(p.pk, (math.inf, p))
    return [p for _, p in sorted(found.values(), key=lambda pair: (pair[0], -pair[1].pk))]


def _same_district(problem: Problem) -> Q:
    # The same address text in another district is another place.
    if problem.district_id is None:
        return Q()
    return Q(district_id=problem.district_id) | Q(district__isnull=True)


def rebound_of(problem: Problem, *, now=None) -> Problem | None:
    """The problem this new report is a rebound of: the same category at the same place, closed
    within REBOUND_WITHIN; the most recently closed if several.  Called by problem_report before
    saving."""
    now = now or timezone.now()
    qs = Problem.objects.filter(
        _same_district(problem), category_id=problem.category_id, status=ProblemStatus.CLOSED,
        reported_at__gte=now - REBOUND_REPORTED_WITHIN, closed_at__gte=now - REBOUND_WITHIN,
    ).exclude(pk=problem.pk)
    found = _same_place(problem, qs)
    return max(found, key=lambda p: (p.closed_at, p.pk)) if found else None


def duplicate_candidates(problem: Problem, *, user=None) -> list[Problem]:
    """Problems that may report the same thing as `problem` (for the dispatch desk): the same
    category at the same place, reported from DUPLICATE_WITHIN before it until now, neither
    voided nor merged; nearest first.  With `user`, only those the user sees."""
    from .selectors import problems_visible_to

    base = problems_visible_to(user) if user is not None else Problem.objects.all()
    qs = (base.filter(_same_district(problem), category_id=problem.category_id,
                      reported_at__gte=problem.reported_at - DUPLICATE_WITHIN)
          .exclude(pk=problem.pk).exclude(status=ProblemStatus.VOIDED).filter(merged_into__isnull=True)
          .select_related("category", "responsible_unit", "district"))
    return _same_place(problem, qs)


@dataclass(frozen=True)
class PublicStatus:
    """What a reporter's tracking code shows: the status of the problem that carries on the work
    (the one it was merged into, if it was merged)."""

    problem: Problem  # the problem whose progress is shown
    status: str
    label: str
    merged: bool  # the reporter's own problem was merged into `problem`


# Merges form chains (A into B, later B into C); a chain longer than this is a bug, not data.
_MAX_CHAIN = 20


def public_status(problem: Problem) -> PublicStatus:
    target, steps = problem, 0
    while target.merged_into_id is not None and steps < _MAX_CHAIN:
        target = Problem.objects.get(pk=target.merged_into_id)
        steps += 1
    return PublicStatus(problem=target, status=target.status, label=target.get_status_display(),
                        merged=target.pk != problem.pk)
