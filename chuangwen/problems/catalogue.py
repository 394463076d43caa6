"""The categories (CJ/T 214's 部件 and 事件 classes, with the subcategories campaigns meet most)
and their time limits, which every city starts with and HQ then edits.  Limits follow the
examples of local filing and closing standards (DOMAIN-NOTES §2.4): urgent cases in working
hours, structural work in working days."""

# code, kind, group, name, (normal, serious, urgent) as (amount, unit)
H, D = "hours", "days"
CATEGORIES = [
    ("BJ0101", "component", "公用设施", "井盖破损或缺失", ((2, D), (1, D), (4, H))),
    ("BJ0102", "component", "公用设施", "路灯不亮或损坏", ((3, D), (2, D), (8, H))),
    ("BJ0103", "component", "公用设施", "电力/通信箱体破损", ((5, D), (3, D), (1, D))),
    ("BJ0201", "component", "交通设施", "道路护栏损坏", ((3, D), (2, D), (8, H))),
    ("BJ0202", "component", "交通设施", "公交站亭破损", ((5, D), (3, D), (1, D))),
    ("BJ0203", "component", "交通设施", "路名牌、指示牌缺损", ((5, D), (3, D), (2, D))),
    ("BJ0301", "component", "市容环境设施", "公厕脏乱或设施损坏", ((1, D), (4, H), (2, H))),
    ("BJ0302", "component", "市容环境设施", "垃圾桶满溢或破损", ((4, H), (2, H), (1, H))),
    ("BJ0303", "component", "市容环境设施", "公益广告破损陈旧", ((5, D), (3, D), (1, D))),
    ("BJ0401", "component", "园林绿化设施", "绿地黄土裸露、树木缺株", ((5, D), (3, D), (1, D))),
    ("SJ0101", "event", "市容环境", "暴露垃圾", ((1, D), (4, H), (2, H))),
    ("SJ0102", "event", "市容环境", "积存垃圾渣土", ((4, D), (2, D), (4, H))),
    ("SJ0103", "event", "市容环境", "道路不洁", ((5, H), (2, H), (1, H))),
    ("SJ0104", "event", "市容环境", "水域不洁", ((15, D), (5, D), (1, D))),
    ("SJ0105", "event", "市容环境", "违法搭建", ((15, D), (7, D), (4, H))),
    ("SJ0201", "event", "宣传广告", "乱张贴、乱涂写", ((1, D), (4, H), (2, H))),
    ("SJ0202", "event", "宣传广告", "违规户外广告", ((5, D), (3, D), (1, D))),
    ("SJ0301", "event", "施工管理", "工地扬尘、围挡不规范", ((2, D), (1, D), (4, H))),
    ("SJ0401", "event", "街面秩序", "占道经营", ((1, D), (4, H), (2, H))),
    ("SJ0402", "event", "街面秩序", "车辆乱停乱放", ((1, D), (4, H), (2, H))),
    ("SJ0403", "event", "街面秩序", "店外经营、门前五包不落实", ((2, D), (1, D), (4, H))),
    ("SJ0501", "event", "突发事件", "路面塌陷、管道破裂", ((8, H), (4, H), (2, H))),
    ("SJ0901", "event", "其他", "其他问题", ((5, D), (3, D), (1, D))),
]
SEVERITIES = ("normal", "serious", "urgent")


def ensure_catalogue(category_model, limit_model) -> None:
    """Create what is missing; never overwrite what HQ has edited."""
    for order, (code, kind, group, name, limits) in enumerate(CATEGORIES):
        category, _ = category_model.objects.get_or_create(
            code=code, defaults={"kind": kind, "group": group, "name": name, "sort_order": order})
        for severity, (amount, unit) in zip(SEVERITIES, limits, strict=True):
            limit_model.objects.get_or_create(category=category, severity=severity,
                                              defaults={"amount": amount, "unit": unit})
