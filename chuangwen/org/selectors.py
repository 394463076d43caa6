"""Reads of organisation data, every one through the scope rule.

Seeing (ARCHITECTURE.md): a person sees the subtrees of the units where they hold a post, of
the units linked to them (挂钩, levels 1-2 to them personally, level 3 to a unit where they
hold a post), and of the member units of the working groups they lead or serve.  Leaders and
HQ staff see all; the security administrator sees all units (to assign posts).
"""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from chuangwen.accounts.roles import Role

from .models import Linkage, Post, Unit, WorkGroup, WorkGroupMember

CHILDREN_ON_PAGE = 100
SEE_ALL_ROLES = (Role.LEADER, Role.HQ_STAFF, Role.SECADMIN)
_CACHE_ATTR = "_cw_scope_roots"


def _minimal(paths: set[str]) -> list[str]:
    """Drop paths inside another path of the set (their subtree is already covered)."""
    roots: list[str] = []
    for path in sorted(paths):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def scope_roots(user) -> list[str] | None:
    """Paths of the subtrees `user` sees; None means everything.  Cached on the user object,
    which lives for one request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, False)
    if cached is not False:
        return cached
    if user.has_role(*SEE_ALL_ROLES):
        roots = None
    elif user.has_role(Role.AUDITOR, Role.SYSADMIN):
        roots = []  # 三员分立: the system and audit administrators see no business data
    else:
        post_units = list(Post.objects.current().filter(person=user).values_list("unit_id", "unit__path"))
        paths = {path for _, path in post_units}
        linkages = Linkage.objects.current().filter(
            Q(person=user) | Q(level=3, from_unit_id__in=[uid for uid, _ in post_units])
        )
        paths.update(linkages.values_list("unit__path", flat=True))
        member_paths = WorkGroupMember.objects.filter(
            Q(group__lead=user) | Q(group__staff=user)
        ).values_list("unit__path", flat=True)
        paths.update(member_paths)
        roots = _minimal(paths)
    setattr(user, _CACHE_ATTR, roots)
    return roots


def forget_scope(user) -> None:
    for attr in (_CACHE_ATTR, _DUTY_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


_DUTY_ATTR = "_cw_duty_units"


def duty_units(user) -> dict[int, bool]:
    """unit id -> holds the head post, for the units where `user` is head or liaison today: the
    units the person acts for (sign for, report, hand in).  Cached on the user object, which
    lives for one request."""
    cached = getattr(user, _DUTY_ATTR, None)
    if cached is None:
        cached = {}
        rows = Post.objects.current().filter(Q(is_head=True) | Q(is_liaison=True), person=user)
        for unit_id, is_head in rows.values_list("unit_id", "is_head"):
            cached[unit_id] = cached.get(unit_id, False) or is_head
        setattr(user, _DUTY_ATTR, cached)
    return cached


def units_visible_to(user) -> QuerySet[Unit]:
    roots = scope_roots(user)
    if roots is None:
        return Unit.objects.all()
    if not roots:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in roots)))


def sees_all_units(user) -> bool:
    return scope_roots(user) is None


def visible_roots(user) -> QuerySet[Unit]:
    """The top of what `user` sees: units visible whose parent is not."""
    roots = scope_roots(user)
    if roots is None:
        return Unit.objects.filter(parent__isnull=True)
    return Unit.objects.filter(path__in=roots)


def unit_children(user, unit: Unit) -> QuerySet[Unit]:
    return units_visible_to(user).filter(parent=unit).order_by("sort_order", "code")


def with_child_counts(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    from django.db.models import Count

    return qs.annotate(child_count=Count("children", distinct=True))


def unit_search(user, q: str, *, limit: int = 100) -> QuerySet[Unit]:
    q = q.strip()
    return (
        units_visible_to(user)
        .filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(full_name__icontains=q))
        .order_by("depth", "path")[:limit]
    )


def unit_posts(unit: Unit) -> QuerySet[Post]:
    return unit.posts.select_related("person").order_by("-valid_to", "-is_head", "-valid_from")


def unit_detail_context(user, unit: Unit) -> dict:
    """Everything the unit page shows, each list limited to what `user` sees."""
    visible = units_visible_to(user)
    posts = list(unit_posts(unit).order_by("-is_head", "-is_liaison", "-valid_from"))
    current = [p for p in posts if p.valid_to is None]
    children = list(with_child_counts(unit_children(user, unit))[: CHILDREN_ON_PAGE + 1])
    return {
        "unit": unit,
        "ancestors": list(visible.filter(path__in=unit.ancestor_paths()).order_by("depth")),
        "current_posts": current,
        "past_posts": [p for p in posts if p.valid_to is not None],
        "head": max((p for p in current if p.is_head), key=lambda p: (p.valid_from, p.pk), default=None),
        "liaisons": [p for p in current if p.is_liaison],
        "linkages_in": list(
            Linkage.objects.current().filter(unit=unit).select_related("person", "from_unit")
        ),
        "linkages_out": list(
            Linkage.objects.current().filter(from_unit=unit).filter(unit__in=visible).select_related("unit")
        ),
        "groups": list(WorkGroup.objects.filter(members__unit=unit).select_related("lead").distinct()),
        # A community may have hundreds of shops: the page lists the first ones and the count.
        "children": children[:CHILDREN_ON_PAGE],
        "children_total": (
            len(children) if len(children) <= CHILDREN_ON_PAGE else unit_children(user, unit).count()
        ),
        "events": list(unit.events.all()[:50]),
    }


def people_visible_to(user) -> QuerySet:
    """People holding (or having held) a post in a unit the user sees, and the user."""
    User = get_user_model()
    if sees_all_units(user):
        return User.objects.all()
    # A subquery rather than a join + DISTINCT: the page's COUNT and ORDER BY stay on the
    # people table (measured: 117 ms -> see docs/performance.md at 20k shops).
    holders = Post.objects.filter(unit__in=units_visible_to(user)).values("person_id")
    return User.objects.filter(Q(pk__in=holders) | Q(pk=user.pk))


def person_posts(person) -> QuerySet[Post]:
    return person.posts.select_related("unit").order_by("-valid_to", "-valid_from")


def groups_visible_to(user) -> QuerySet[WorkGroup]:
    qs = WorkGroup.objects.select_related("lead").prefetch_related(
        Prefetch("members", queryset=WorkGroupMember.objects.select_related("unit").order_by("-is_lead_unit", "unit__path"))
    )
    if sees_all_units(user):
        return qs
    visible = units_visible_to(user)
    return qs.filter(Q(members__unit__in=visible) | Q(lead=user) | Q(staff=user)).distinct()


def current_head(unit: Unit, on=None) -> Post | None:
    # Newest first: on the day of a handover both posts are current, and the new head answers.
    return (
        Post.objects.current(on).filter(unit=unit, is_head=True).select_related("person")
        .order_by("-valid_from", "-id").first()
    )


def linked_leaders(unit: Unit, on=None) -> list:
    """City or department leaders linked (levels 1-2) to the unit or to one of its ancestors,
    nearest first: whom a red item escalates to."""
    paths = [*unit.ancestor_paths(), unit.path]
    links = (
        Linkage.objects.current(on)
        .filter(level__in=[1, 2], unit__path__in=paths)
        .select_related("person", "unit")
        .order_by("-unit__depth", "level")
    )
    return [link.person for link in links]
