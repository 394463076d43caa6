"""The demo city's sites (点位) and its shops' zones (门前五包), loaded by `load_demo` after the
demo city (chuangwen.org.demo).

41 sites of all 26 types over the urban districts, the high-tech zone and four counties, each
with the unit that answers for it.  Coordinates are entered the way HQ staff would: mostly
picked on 高德 (GCJ-02), some on 百度 (BD-09), some from a phone's GPS (WGS-84), and a bus
line, the taxis and one urban-rural fringe with an address only; the services store WGS-84.
Every place is invented; the city centre sits near 112.94°E, 28.23°N (GCJ-02).

Every write goes through the services, as the HQ office's director.
"""

import math
import random
from datetime import date

from django.db import transaction

from chuangwen.accounts.models import User
from chuangwen.org.demo import data as city
from chuangwen.org.models import Unit, UnitKind

from . import geo, services
from .catalogue import FIVE_DUTIES, ensure_site_types
from .models import Datum, ShopZone, Site, SiteType

ACTOR = "hq_director"
SEED = 20240301
# District centres (GCJ-02, lng, lat).
CENTRES = {
    "Q01": (112.985, 28.200),  # 凤鸣区, east of the centre
    "Q02": (112.930, 28.235),  # 龙泉区, west
    "Q03": (112.975, 28.145),  # 清溪区, south
    "Q14": (112.880, 28.225),  # 高新区, north-west
    "Q04": (113.550, 28.150),  # 白石市
    "Q05": (112.600, 28.370),  # 安平县
    "Q06": (113.070, 27.850),  # 云岭县
    "Q07": (112.550, 27.950),  # 柳河县
}
G, B, W, NONE = Datum.GCJ02, Datum.BD09, Datum.WGS84, None

# (type, name (None: the responsible unit's), district, responsible unit, address,
#  east and north of the district centre in metres, datum entered in (None: no point)).
SITES = [
    ("T01", "凤鸣区新时代文明实践中心", "Q01", "Q01", "东关大街18号", -300, 250, G),
    ("T02", "市政务服务中心", "Q01", "D25-01", "紫金路88号", 900, -400, G),
    ("T03", "工商银行凤鸣支行", "Q01", "Z01", "东关大街126号", 150, 300, B),
    ("T05", "东关大街人民路口公交站", "Q01", "D13-01", "东关大街与人民路交叉口东侧", 420, 180, G),
    ("T08", "紫金路公共厕所", "Q01", "D12-01", "紫金路与北关路交叉口西北角", 700, 650, W),
    ("T09", "人民广场", "Q01", "D12", "人民路1号", -800, 100, G),
    ("T11", "凤山公园", "Q01", "D11-02", "凤山路66号", 1500, 900, G),
    ("T12", None, "Q01", "Q01-J01-S01", "东关大街13号", -150, 420, G),
    ("T15", "市第一中学", "Q01", "D03-01", "北关路45号", 300, 1200, G),
    ("T17", "市人民医院", "Q01", "D18-01", "南大街200号", -500, -700, G),
    ("T19", "东关大街—人民路口", "Q01", "D05-01", "东关大街与人民路交叉口", 400, 200, G),
    ("T20", "西街三巷", "Q01", "Q01-J02", "西大街北侧三巷", -1100, 300, W),
    ("T21", "东关商业步行街", "Q01", "Q01-J01", "东关大街100—260号", 250, 350, G),
    ("T24", "南街农贸市场", "Q01", "Q01-J03", "南大街88号", -200, -1100, G),
    ("T25", "紫金花园小区", "Q01", "Q01-J05-S01", "紫金路168号", 1200, -200, G),
    ("T13", "紫金府二期建设工地", "Q01", "D11-03", "紫金路与凤山路交叉口东南", 1800, -600, G),
    ("T06", "1路公交车(火车站—高新区)", "Q01", "D13-01", "线路:火车站—东关大街—高新区", 0, 0, NONE),
    ("T07", "巡游出租车", "Q01", "D13-02", "全市巡游出租车", 0, 0, NONE),
    ("T03", "建设银行龙泉支行", "Q02", "Z02", "龙泉路58号", 200, -150, B),
    ("T04", "中国电信新华街营业厅", "Q02", "Z04", "新华街32号", -350, 400, G),
    ("T10", "龙泉宾馆", "Q02", "D17", "龙泉路120号", 500, 100, G),
    ("T16", "新华百货商场", "Q02", "D16", "新华街1号", -250, 450, G),
    ("T18", "市图书馆", "Q02", "D17-01", "光明路9号", 800, 700, G),
    ("T18", "市博物馆", "Q02", "D17-02", "光明路11号", 950, 720, G),
    ("T22", "滨河路", "Q02", "D11-01", "滨河路(龙泉路—建设路)", -600, -500, B),
    ("T12", None, "Q02", "Q02-J01-S01", "龙泉路13号", 100, -300, G),
    ("T20", "光明路二巷", "Q02", "Q02-J04", "光明路南侧二巷", 700, 550, W),
    ("T05", "火车站公交枢纽站", "Q02", "D13-01", "站前路1号", -1500, 1200, G),
    ("T17", "市中医医院", "Q02", "D18-02", "建设路76号", 1100, -800, G),
    ("T15", "市实验小学", "Q02", "D03-02", "新华街60号", -400, 700, G),
    ("T14", "清溪湖风景区", "Q03", "Q03", "清溪湖路1号", 600, -900, G),
    ("T23", "桃园村城乡接合部", "Q03", "Q03", "清溪区桃园村一组至五组", 0, 0, NONE),
    ("T24", "清溪农贸市场", "Q03", "Q03", "清溪路56号", -300, 200, G),
    ("T02", "高新区政务服务中心", "Q14", "Q14", "创新大道1号", 0, 0, G),
    ("T13", "高新区智能制造产业园建设工地", "Q14", "D11-03", "创新大道与科技路交叉口", 1400, 800, G),
    ("T25", "高新区人才公寓小区", "Q14", "Q14", "科技路28号", -600, 500, B),
    ("T11", "白石市滨江公园", "Q04", "Q04", "滨江路", 300, -200, G),
    ("T04", "中国邮政白石营业所", "Q04", "Z09", "人民路22号", -150, 100, G),
    ("T26", "安平县城关镇", "Q05", "Q05", "城关镇人民政府驻地", 0, 0, G),
    ("T26", "云岭县云岭镇", "Q06", "Q06", "云岭镇人民政府驻地", 200, 100, G),
    ("T09", "柳河县文化广场", "Q07", "Q07", "柳河县文化路", -100, 300, G),
]

# Frontage texts for the shops' zones, by the shop's number in its community.
FRONTAGES = (
    "门前至人行道路缘石,左右至与相邻商户分界线",
    "门前人行道全宽,东至相邻商户门墙线,西至巷口",
)
SAFETY_DUTY = "包安全:门前消防通道畅通,不私拉电线,不违规存放易燃物"


class DemoSitesRefused(Exception):
    """The database is not the demo city, or holds sites the demo must not be mixed with."""


def _shift(centre: tuple[float, float], east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m`, `north_m` metres from `centre` (a local flat approximation)."""
    lng, lat = centre
    d_lat = math.degrees(north_m / geo.EARTH_RADIUS_M)
    d_lng = math.degrees(east_m / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lng + d_lng, lat + d_lat


def _as_entered(gcj: tuple[float, float], datum: str) -> tuple[str, str]:
    """The point as a client in `datum` would have sent it: six decimals, as map apps copy."""
    if datum == Datum.BD09:
        lng, lat = geo.gcj02_to_bd09(*gcj)
    elif datum == Datum.WGS84:
        lng, lat = geo.gcj02_to_wgs84(*gcj)
    else:
        lng, lat = gcj
    return f"{lng:.6f}", f"{lat:.6f}"


def _first_demo_site() -> tuple[str, str]:
    site_type, name, district = SITES[0][0], SITES[0][1], SITES[0][2]
    return f"{district}-{site_type}-001", name


def load_demo_sites() -> str:
    """Load the demo sites and zones in one transaction (all or nothing).

    Returns "loaded", or "present" if they are there already (nothing is done).  Raises
    DemoSitesRefused if the demo city is missing or other sites exist.
    """
    if not Unit.objects.filter(code=city.CITY_CODE).exists():
        raise DemoSitesRefused("演示城市未加载。")
    code, name = _first_demo_site()
    if Site.objects.filter(code=code, name=name).exists():
        return "present"
    if Site.objects.exists():
        raise DemoSitesRefused("库中已有其他点位,演示点位不与之混放。")
    actor = User.objects.filter(username=ACTOR, is_active=True).first()
    if actor is None:
        raise DemoSitesRefused(f"找不到演示账号 {ACTOR}。")
    with transaction.atomic():
        ensure_site_types(SiteType)  # a flushed database (tests) has lost the migration's rows
        _sites(actor)
        _zones(actor)
    return "loaded"


def _sites(actor) -> None:
    types = {t.code: t for t in SiteType.objects.all()}
    codes = {row[2] for row in SITES} | {row[3] for row in SITES}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    missing = codes - set(units)
    if missing:
        raise DemoSitesRefused(f"演示城市中缺少单位:{'、'.join(sorted(missing))}。")
    for type_code, name, district, unit, address, east, north, datum in SITES:
        point = {}
        if datum is not None:
            lng, lat = _as_entered(_shift(CENTRES[district], east, north), datum)
            point = {"lng": lng, "lat": lat, "datum": datum}
        services.site_create(
            name=name or units[unit].name, site_type=types[type_code], district=units[district],
            responsible_unit=units[unit], address=address, actor=actor, **point,
        )


def _zones(actor) -> None:
    rng = random.Random(SEED)
    shops = Unit.objects.active().filter(kind=UnitKind.SHOP).order_by("path")
    centre = CENTRES[city.SHOP_DISTRICT]
    for i, shop in enumerate(shops):
        number = int(shop.code.rsplit("-P", 1)[-1]) if "-P" in shop.code else 1
        duties = list(FIVE_DUTIES)
        if i % 10 == 9:
            # Some communities' letters put safety where others put lighting (DOMAIN-NOTES §4.5).
            duties[3] = SAFETY_DUTY
        gcj = _shift(centre, rng.uniform(-1800, 1800), rng.uniform(-1400, 1400))
        lng, lat = _as_entered(gcj, Datum.GCJ02)
        services.zone_set(
            shop=shop, actor=actor, frontage=FRONTAGES[(number - 1) % len(FRONTAGES)],
            length_m=f"{rng.uniform(4, 18):.1f}", duties=duties, lng=lng, lat=lat, datum=Datum.GCJ02,
            signed_on=date(2024, 3, 1 + i % 28),
        )


def demo_counts() -> tuple[int, int]:
    return Site.objects.count(), ShopZone.objects.count()
