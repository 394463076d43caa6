"""Where a new problem goes: the site's responsible unit (包保单位) when it was found at a
registered site, else the routing table (category × district), else HQ's dispatch desk (no
suggestion).  HQ always decides; this is the suggestion the desk shows."""

from chuangwen.places.selectors import site_for_routing

from .models import RoutingRule


def suggest_unit(*, category, district, site=None):
    if site is not None:
        unit = site_for_routing(site)
        if unit is not None:
            return unit
    if district is None:
        return None
    rule = RoutingRule.objects.filter(category=category, district=district).select_related("unit").first()
    return rule.unit if rule else None
