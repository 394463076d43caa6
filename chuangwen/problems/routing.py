"""Where a new problem goes: the routing table (category × district), else HQ's dispatch desk
(no suggestion).  A site's own responsible unit comes first once sites are linked."""

from .models import RoutingRule


def suggest_unit(*, category, district):
    if district is None:
        return None
    rule = RoutingRule.objects.filter(category=category, district=district).select_related("unit").first()
    return rule.unit if rule else None
