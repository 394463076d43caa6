"""The demo city's routing table (派遣规则), set through `routing_rule_set` by the HQ office's
综合协调科 like any rule HQ edits afterwards.

The principle is 属地管理 with the city's specialised units in the central districts:

* in the three central districts (凤鸣区 Q01, 龙泉区 Q02, 清溪区 Q03) the city maintains the
  facilities: 井盖, 路灯, 护栏, 路名牌 and 路面塌陷 go to 市市政设施管理处 (D11-01), 公交站亭
  to 市公交公司 (D13-01), 公厕 and 垃圾桶 to 市环境卫生管理中心 (D12-01), 绿地 to
  市园林绿化中心 (D11-02), 工地 to 市建设工程质量安全监督站 (D11-03), 水域 to 市水务局 (D14),
  电力/通信箱体 to the power company (Z06), and 车辆乱停 to the traffic police brigade of the
  district (交警一大队 D05-01 in Q01, 交警二大队 D05-02 in Q02 and Q03);
* everything else there — 市容环境, 宣传广告, 街面秩序, 公益广告 — and every category in the
  other counties, the county-level city and the high-tech zone goes to the district itself;
* 其他问题 (SJ0901) has no rule: it waits on the dispatch desk for HQ to choose.

A problem found at a registered site goes to the site's responsible unit first (routing.py).
"""

from chuangwen.org.demo import data as city

from ..models import Category, RoutingRule
from ..services.catalogue import routing_rule_set

CENTRAL = ("Q01", "Q02", "Q03")
# Category code -> unit in the central districts ({district: unit} where it depends on it).
CENTRAL_UNITS: dict[str, str | dict[str, str]] = {
    "BJ0101": "D11-01", "BJ0102": "D11-01", "BJ0201": "D11-01", "BJ0203": "D11-01", "SJ0501": "D11-01",
    "BJ0103": "Z06", "BJ0202": "D13-01", "BJ0301": "D12-01", "BJ0302": "D12-01", "BJ0401": "D11-02",
    "SJ0301": "D11-03", "SJ0104": "D14",
    "SJ0402": {"Q01": "D05-01", "Q02": "D05-02", "Q03": "D05-02"},
}
UNROUTED = ("SJ0901",)
DISTRICTS = tuple(code for code, *_ in city.COUNTIES)


def route_of(category_code: str, district_code: str) -> str | None:
    """The unit code the demo table routes to (None: no rule)."""
    if category_code in UNROUTED:
        return None
    if district_code in CENTRAL and category_code in CENTRAL_UNITS:
        target = CENTRAL_UNITS[category_code]
        return target[district_code] if isinstance(target, dict) else target
    return district_code


def set_routes(*, actor, units: dict) -> int:
    """Set the demo rules that are missing (a rule HQ has set stays).  Returns how many were set."""
    existing = set(RoutingRule.objects.values_list("category_id", "district_id"))
    count = 0
    for category in Category.objects.filter(is_active=True).order_by("kind", "sort_order", "code"):
        for district_code in DISTRICTS:
            target = route_of(category.code, district_code)
            district = units[district_code]
            if target is None or (category.pk, district.pk) in existing:
                continue
            routing_rule_set(category=category, district=district, unit=units[target], actor=actor)
            count += 1
    return count
