"""Reads of problems through the scope rule: a person sees the problems whose responsible unit
or district lies in their scope, and those they reported; HQ and leaders see all."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from chuangwen.accounts.roles import Role
from chuangwen.org.models import Unit
from chuangwen.org.selectors import scope_roots
from chuangwen.places.models import Site
from chuangwen.places.selectors import sites_visible_to

from .models import DISPATCH_STATUSES, Problem


def problems_visible_to(user) -> QuerySet[Problem]:
    roots = scope_roots(user)
    # Inspectors (督查员) check sites anywhere in the city: the recheck queue is city-wide.
    if roots is None or (user is not None and user.is_authenticated and user.has_role(Role.INSPECTOR)):
        return Problem.objects.all()
    if user is None or not user.is_authenticated:
        return Problem.objects.none()
    mine = Q(reported_by=user)
    if not roots:
        return Problem.objects.filter(mine)
    units = Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in roots))).values("id")
    return Problem.objects.filter(mine | Q(responsible_unit_id__in=units) | Q(district_id__in=units))


def reportable_sites(user):
    """The sites a staff member may name when reporting: those in scope (places' rule); an
    inspector works anywhere in the city, so every site."""
    if user is not None and user.is_authenticated and user.has_role(Role.INSPECTOR):
        return Site.objects.all()
    return sites_visible_to(user)


def list_related(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    return qs.select_related("category", "responsible_unit", "district")


def dispatch_desk(user, *, before: int | None = None, limit: int = 50) -> list[Problem]:
    """HQ's desk: problems waiting to be assigned, newest first, keyset-paged by id."""
    qs = problems_visible_to(user).filter(status__in=DISPATCH_STATUSES)
    if before:
        qs = qs.filter(id__lt=before)
    return list(list_related(qs).order_by("-id")[:limit])


def timeline(problem: Problem, *, public_only: bool = False):
    qs = problem.events.all()
    return qs.filter(is_public=True) if public_only else qs
