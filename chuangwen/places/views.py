"""Site and zone pages: thin adapters over the selectors (every read goes through the scope)."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from chuangwen.org.permissions import can, require
from chuangwen.org.selectors import units_visible_to

from . import selectors
from .models import SiteType

VIEW = "place.view"
# Sites this close to the one shown are listed on its page: likely duplicates or neighbours
# an inspector covers on the same walk.
NEARBY_METRES = 300


def _param(request, name: str, length: int = 50) -> str:
    return request.GET.get(name, "").strip()[:length].replace("\x00", "")


def site_list(request):
    require(request.user, VIEW)
    districts = list(selectors.districts_visible_to(request.user))
    types = list(SiteType.objects.all())
    district_code, type_code = _param(request, "district", 32), _param(request, "type", 16)
    district = next((d for d in districts if d.code == district_code), None)
    site_type = next((t for t in types if t.code == type_code), None)
    q, after = _param(request, "q"), _param(request, "after", 32)
    include_inactive = request.GET.get("inactive") == "1"
    rows, next_after = selectors.site_page(
        request.user, district=district, site_type=site_type, q=q, include_inactive=include_inactive,
        after=after,
    )
    # The filters in force, for the paging links (unknown codes dropped).
    query = {"district": district.code if district else "", "type": site_type.code if site_type else "",
             "q": q, "inactive": "1" if include_inactive else ""}
    query = {k: v for k, v in query.items() if v}
    return render(request, "places/site_list.html", {
        "sites": rows, "districts": districts, "types": types, "district": district, "site_type": site_type,
        "q": q, "include_inactive": include_inactive, "next_after": next_after, "query": urlencode(query),
        "first_page": not after, "can_manage": can(request.user, "place.manage"),
    })


def site_detail(request, code):
    require(request.user, VIEW)
    if len(code) > 32 or "\x00" in code:
        raise Http404
    visible = selectors.sites_visible_to(request.user)
    site = get_object_or_404(visible.select_related("site_type", "district", "responsible_unit"), code=code)
    nearby = []
    if site.point is not None:
        nearby = selectors.sites_near(*site.point, NEARBY_METRES, within=visible, exclude=site)
    shown_units = set(units_visible_to(request.user).filter(
        pk__in=[site.district_id, site.responsible_unit_id]).values_list("pk", flat=True))
    gcj = site.gcj02_point
    return render(request, "places/site_detail.html", {
        "site": site, "nearby": nearby, "nearby_metres": NEARBY_METRES, "gcj": gcj,
        "amap_url": _amap_url(site.name, gcj) if gcj else "",
        "district_link": site.district_id in shown_units,
        "unit_link": site.responsible_unit_id in shown_units,
        "can_manage": can(request.user, "place.manage"),
        "can_report": can(request.user, "problem.report"),
    })


def _amap_url(name: str, gcj) -> str:
    """高德's public marker link (opens the app on a phone): it takes GCJ-02."""
    return "https://uri.amap.com/marker?" + urlencode({
        "position": f"{gcj[0]:.6f},{gcj[1]:.6f}", "name": name, "coordinate": "gaode", "callnative": "1",
    })


def zone_list(request):
    require(request.user, VIEW)
    q, after = _param(request, "q"), _param(request, "after", 32)
    rows, next_after = selectors.zone_page(request.user, q=q, after=after)
    return render(request, "places/zone_list.html", {
        "zones": rows, "q": q, "next_after": next_after, "query": urlencode({"q": q} if q else {}),
        "first_page": not after,
    })
