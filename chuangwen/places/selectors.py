"""Reads of sites and zones: the scope rule for pages and the API, the spatial look-up, and
the routing answer the problems app asks for ("which unit answers for this site?")."""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db.models import Q, QuerySet

from chuangwen.org.models import Unit
from chuangwen.org.selectors import scope_roots, units_visible_to

from . import geo
from .models import DISTRICT_KINDS, ShopZone, Site, SiteType

PAGE = 50
_SEVEN_PLACES = Decimal("0.0000001")


def sites_visible_to(user) -> QuerySet[Site]:
    """Sites whose district or responsible unit is in what `user` sees: a district head sees
    every site of the district, a bureau the sites it answers for anywhere in the city."""
    roots = scope_roots(user)
    if roots is None:
        return Site.objects.all()
    if not roots:
        return Site.objects.none()
    # Ids of the units in scope as a subquery: one LIKE per scope root, not per site row.
    units = units_visible_to(user).values("id")
    return Site.objects.filter(Q(district_id__in=units) | Q(responsible_unit_id__in=units))


def zones_visible_to(user) -> QuerySet[ShopZone]:
    roots = scope_roots(user)
    if roots is None:
        return ShopZone.objects.all()
    if not roots:
        return ShopZone.objects.none()
    return ShopZone.objects.filter(shop_id__in=units_visible_to(user).values("id"))


def districts_visible_to(user) -> QuerySet[Unit]:
    """The districts (县区 and development zones) `user` may filter sites by."""
    return units_visible_to(user).filter(kind__in=DISTRICT_KINDS).active().order_by("sort_order", "code")


def site_page(
    user, *, district: Unit | None = None, site_type: SiteType | None = None, q: str = "",
    include_inactive: bool = False, after: str = "", limit: int = PAGE,
) -> tuple[list[Site], str]:
    """One page of the sites `user` sees, by code, and the code to continue after ("" at the
    end).  Keyset-paged: no COUNT, no OFFSET however many sites a province holds."""
    qs = sites_visible_to(user)
    if district is not None:
        qs = qs.filter(district=district)
    if site_type is not None:
        qs = qs.filter(site_type=site_type)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(code__istartswith=q))
    if after:
        qs = qs.filter(code__gt=after)
    rows = list(qs.select_related("site_type", "district", "responsible_unit").order_by("code")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].code if more and rows else "")


def zone_page(user, *, q: str = "", after: str = "", limit: int = PAGE) -> tuple[list[ShopZone], str]:
    """One page of the zones `user` sees, by shop code (keyset)."""
    qs = zones_visible_to(user)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(shop__name__icontains=q) | Q(shop__code__istartswith=q) | Q(shop__address__icontains=q)
        )
    if after:
        qs = qs.filter(shop__code__gt=after)
    rows = list(qs.select_related("shop", "shop__parent").order_by("shop__code")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].shop.code if more and rows else "")


def _floor(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_SEVEN_PLACES, rounding=ROUND_FLOOR)


def _ceil(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_SEVEN_PLACES, rounding=ROUND_CEILING)


def sites_near(
    lng, lat, metres: float, *, site_type: SiteType | None = None, within: QuerySet[Site] | None = None,
    active_only: bool = True, exclude: Site | None = None,
) -> list[Site]:
    """Sites within `metres` of the WGS-84 point (lng, lat), nearest first, each with
    `distance_m`.  The bounding box narrows in SQL (index places_site_latlng); the exact
    great-circle distance decides.  `within` limits the search to a scoped queryset (e.g.
    sites_visible_to(user)); unscoped by default, for checks such as duplicates within 50 m."""
    lng, lat = float(lng), float(lat)
    min_lng, min_lat, max_lng, max_lat = geo.bounding_box(lng, lat, metres)
    qs = (within if within is not None else Site.objects.all()).filter(
        lat__gte=_floor(min_lat), lat__lte=_ceil(max_lat), lng__gte=_floor(min_lng), lng__lte=_ceil(max_lng),
    )
    if site_type is not None:
        qs = qs.filter(site_type=site_type)
    if active_only:
        qs = qs.filter(is_active=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    found = []
    for site in qs.select_related("site_type", "district", "responsible_unit"):
        site.distance_m = geo.haversine_m((lng, lat), site.point)
        if site.distance_m <= metres:
            found.append(site)
    found.sort(key=lambda s: (s.distance_m, s.code))
    return found


# How far a chain of mergers is followed (a unit merged into one later merged ...).
_MERGE_HOPS = 10


def site_for_routing(site: Site) -> Unit | None:
    """The unit a problem found at `site` goes to: its responsible unit, or, if that unit was
    merged away, the unit it went into (following the chain).  If the responsible unit was
    abolished outright, the site's district answers until HQ names a new one.  None only when
    the district is gone too."""
    unit = site.responsible_unit
    for _ in range(_MERGE_HOPS):
        if unit.is_active:
            return unit
        if unit.merged_into_id is None:
            break
        unit = unit.merged_into
    district = site.district
    return district if district.is_active else None
