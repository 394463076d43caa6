"""Which units are ranked, in which group (plain data; no queries).

County-level districts and the development zone compete together (县区); city departments
(市直部门), central and provincial units stationed in the city (中省驻市单位), streets (街道)
and communities (社区) each have their own table.  The HQ office, the leadership bodies, the
city itself, departments' subordinate units and shops are not ranked.
"""

from chuangwen.org.models import UnitKind

from .models import RankGroup

KIND_GROUP: dict[str, str] = {
    UnitKind.COUNTY: RankGroup.DISTRICT,
    UnitKind.DEV_ZONE: RankGroup.DISTRICT,
    UnitKind.CITY_DEPT: RankGroup.DEPARTMENT,
    UnitKind.STATIONED: RankGroup.STATIONED,
    UnitKind.STREET: RankGroup.STREET,
    UnitKind.COMMUNITY: RankGroup.COMMUNITY,
}


def group_of(kind: str) -> str | None:
    """The rank group of a unit kind; None when units of that kind are not ranked."""
    return KIND_GROUP.get(kind)


def kinds_of(group: str) -> list[str]:
    return [kind for kind, g in KIND_GROUP.items() if g == group]
