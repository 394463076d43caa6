"""The site types every city starts with, and the default text of the five frontage duties.

The 26 site types are those of a district's mock assessment run on the 2021 national manual
(DOMAIN-NOTES §1.3, Guiyang Baiyun district), in that order.  Cities use between 26 and 39
types; HQ adds its own in the admin site.  The data migration loads the list;
`ensure_site_types` puts back what a flushed database lost (tests, the demo loader).
"""

# (code, name, what the inspectors look at there)
SITE_TYPES = [
    ("T01", "新时代文明实践中心", "新时代文明实践中心(所、站)的阵地、活动和志愿服务"),
    ("T02", "政务大厅", "政务服务大厅的窗口服务、办事指南和便民设施"),
    ("T03", "银行网点", "银行营业网点的窗口服务、等候区和无障碍设施"),
    ("T04", "窗口单位", "电信、邮政、供电、供水等服务窗口"),
    ("T05", "公交站点", "公交站台、站牌和候车秩序"),
    ("T06", "公交车", "公交车车容车貌、司乘服务和车内公益广告"),
    ("T07", "出租车", "出租车车容车貌、文明服务和车内公益广告"),
    ("T08", "室外公共厕所", "室外公共厕所的卫生、设施和指引标识"),
    ("T09", "公共广场", "公共广场的环境卫生、设施和秩序"),
    ("T10", "宾馆酒店", "宾馆酒店的服务、公益广告和周边环境"),
    ("T11", "公园", "公园的环境卫生、设施、游园秩序和公益广告"),
    ("T12", "社区", "社区的环境、公益广告、志愿服务站和居民文明素养"),
    ("T13", "建筑工地", "建筑工地的围挡、公益广告、扬尘和渣土管理"),
    ("T14", "景区景点", "景区景点的服务、环境、秩序和文明旅游宣传"),
    ("T15", "中小学校", "中小学校及周边的环境、秩序和未成年人思想道德建设"),
    ("T16", "商场超市", "大型商场超市的服务、环境和消防通道"),
    ("T17", "医院", "医院的窗口服务、就诊秩序和环境卫生"),
    ("T18", "公共文化设施", "图书馆、博物馆、文化馆等公共文化设施的开放和服务"),
    ("T19", "主要交通路口", "主要交通路口的通行秩序、文明交通和交通设施"),
    ("T20", "背街小巷", "背街小巷的路面、卫生、照明和乱堆乱放"),
    ("T21", "商业大街", "商业大街的店招店牌、占道经营和门前五包"),
    ("T22", "主次干道", "主次干道的路面、市容、停车秩序和公益广告"),
    ("T23", "城乡接合部", "城乡接合部的环境卫生、乱搭乱建和秩序"),
    ("T24", "集贸市场", "集贸(农贸)市场的环境卫生、经营秩序和公平秤"),
    ("T25", "小区", "住宅小区的环境卫生、物业管理和公益广告"),
    ("T26", "乡镇", "乡镇驻地的环境卫生、秩序和公共设施"),
]


def ensure_site_types(model) -> int:
    """Create the catalogue's types that are missing (never changes one HQ has edited).
    Returns how many were created."""
    existing = set(model.objects.values_list("code", flat=True))
    missing = [
        model(code=code, name=name, description=description, sort_order=i * 10)
        for i, (code, name, description) in enumerate(SITE_TYPES, start=1)
        if code not in existing
    ]
    model.objects.bulk_create(missing)
    return len(missing)


# 门前五包 (DOMAIN-NOTES §4.5): cleanliness, order, greenery, lighting, facilities.  Some cities
# write 文明 or 安全 instead of lighting, so the text is per zone, with this as the default.
FIVE_DUTIES = [
    "包环境卫生:门前无垃圾、无污水、无痰迹烟头,冬季及时清扫积雪",
    "包秩序:不占道经营,不乱停乱放,不乱搭乱建、乱贴乱画",
    "包绿化:爱护门前树木、花草和绿地,不损坏、不侵占",
    "包照明:门头招牌和亮化设施完好,按时开启",
    "包设施:爱护门前公共设施,发现损坏及时报告",
]
