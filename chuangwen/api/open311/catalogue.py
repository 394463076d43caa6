"""The attributes every city starts with: a few questions on two categories, so that each of the
spec's datatypes appears in a service definition.  There is no editing page yet: a city changes
them with a data migration (docs/open311.md)."""

# category code -> [(code, datatype, required, order, description, datatype_description, values,
#                    variable)]
ATTRIBUTES = {
    "BJ0101": [  # 井盖破损或缺失
        ("cover_state", "singlevaluelist", True, 1, "井盖现在是什么情况?", "请选择一项", [
            {"key": "broken", "name": "破损"},
            {"key": "missing", "name": "缺失"},
            {"key": "sunken", "name": "沉陷或凸起"},
            {"key": "loose", "name": "松动、有异响"},
        ], True),
    ],
    "SJ0103": [  # 道路不洁
        ("area_m2", "number", False, 1, "不洁区域大约多大?", "数字,单位平方米,如 12.5", [], True),
        ("observed_at", "datetime", False, 2, "什么时候发现的?",
         "ISO 8601 日期时间并带时区,如 2026-09-16T09:30:00+08:00", [], True),
        ("hazards", "multivaluelist", False, 3, "现场有哪些情况?", "可多选", [
            {"key": "oil", "name": "油污"},
            {"key": "litter", "name": "散落垃圾"},
            {"key": "mud", "name": "泥浆渣土"},
            {"key": "water", "name": "积水"},
            {"key": "dung", "name": "动物粪便"},
        ], True),
        ("landmark", "string", False, 4, "附近的标志物(店铺、公交站、路口)", "一行文字,不超过 200 字", [], True),
        ("notes", "text", False, 5, "补充说明", "可换行,不超过 2000 字", [], True),
        ("safety", "string", False, 6, "路面油污或积水导致路滑、危及安全的,请同时拨打 12345 或 110。", "", [],
         False),
    ],
}


def ensure_attributes(category_model, attribute_model) -> int:
    """Create the attributes that are missing (by category and code); never overwrite what HQ
    has edited.  Categories not present are skipped.  Returns how many were created."""
    created = 0
    for category_code, rows in ATTRIBUTES.items():
        category = category_model.objects.filter(code=category_code).first()
        if category is None:
            continue
        for code, datatype, required, order, description, help_text, values, variable in rows:
            _, made = attribute_model.objects.get_or_create(
                category=category, code=code,
                defaults={"datatype": datatype, "required": required, "order": order,
                          "description": description, "datatype_description": help_text,
                          "values": values, "variable": variable},
            )
            created += made
    return created
