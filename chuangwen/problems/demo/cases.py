"""The demo problems' cast: who reports what where, and how each unit works.

`Casting.new_case` draws a case (source, place, category, severity, who HQ gives it to) from
the demo city's districts, roads and sites.  A place and category are used once by the ordinary
cases (a second problem of the same category at the same place would be a duplicate or a
rebound, which the story adds on purpose, in proportion).
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from chuangwen.org.demo import data as city
from chuangwen.places import geo
from chuangwen.places.demo import CENTRES

from ..duplicates import NEAR_METRES
from . import texts
from .rules import route_of

SEED = 20240415
DAYS = 120  # the story covers the last 120 days
ORDINARY = 380  # besides the showcases, duplicates and rebounds: about 400 in all
CLERK, DEPUTY, DIRECTOR, EVALUATION = "hq.coordination", "hq.deputy", "hq_director", "hq.evaluation"
INSPECTOR = "inspector"

SOURCES = (("inspection", 34), ("citizen", 20), ("hotline", 15), ("mock", 12), ("deputy", 8), ("media", 6),
           ("instruction", 5))
# Who records a report of each source (the citizen reports anonymously, through 随手拍).
REPORTERS = {"inspection": INSPECTOR, "hotline": CLERK, "mock": EVALUATION, "deputy": "deputy",
             "media": CLERK, "instruction": DIRECTOR, "citizen": None}
SEVERITIES = (("normal", 75), ("serious", 20), ("urgent", 5))
SITE_SHARE = 0.5  # of the staff's reports (citizens report addresses): about 40 % of all
DISTRICT_WEIGHTS = {"Q01": 22, "Q02": 17, "Q03": 10, "Q14": 7}
# Categories that may wait for a larger project (挂账 is asked for these).
PARKABLE = ("SJ0105", "SJ0104", "BJ0103", "SJ0501", "BJ0401", "SJ0102")


@dataclass(frozen=True)
class Profile:
    """How a unit works: working hours to accept, the chance to finish on time, how late when
    late, the chance a recheck fails, to let a case lie, to ask for an extension or parking."""

    accept: tuple[float, float]
    on_time: float
    late: tuple[float, float]
    fail: float
    neglect: float
    extend: float
    park: float


GOOD = Profile((0.2, 1.5), 0.97, (1, 6), 0.03, 0.0, 0.04, 0.01)
AVERAGE = Profile((0.5, 3), 0.76, (2, 20), 0.12, 0.04, 0.06, 0.02)
FAIR = Profile((1, 5), 0.64, (4, 30), 0.18, 0.06, 0.08, 0.03)
BAD = Profile((2, 9), 0.38, (8, 60), 0.32, 0.18, 0.08, 0.04)
# By the unit's top code (a street or community works like its district, a subordinate unit
# like its department): two districts clearly better, two clearly worse.
PROFILES = {"Q14": GOOD, "Q05": GOOD, "D12": GOOD, "Q03": BAD, "Q09": BAD, "D13": BAD,
            "Q07": FAIR, "Q11": FAIR}


def profile_of(unit_code: str) -> Profile:
    return PROFILES.get(unit_code.split("-")[0], AVERAGE)


@dataclass
class Place:
    district: str
    site: object | None = None  # places.Site
    address: str = ""
    street: str | None = None  # the street unit whose road it is (urban districts)
    point: tuple[Decimal, Decimal] | None = None  # WGS-84


@dataclass
class Case:
    key: int
    source: str
    category: str
    severity: str
    place: Place
    unit: str  # who HQ assigns it to in the end
    description: str
    contact: tuple[str, str] = ("", "")
    seed: int = 0  # of the case's own generator (never reused, even when a drawn case is dropped)
    merge_into: int | None = None  # a duplicate: merged into that case
    problem_id: int | None = None  # set when reported

    @property
    def reporter(self) -> str | None:
        return REPORTERS[self.source]


@dataclass(frozen=True)
class Step:
    at: datetime
    verb: str
    case: Case
    args: dict
    state: str  # the problem's status after the step


def pick(rng, weighted):
    """One key of `weighted` ({key: weight} or ((key, weight), ...)), drawn by weight."""
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]



class Casting:
    def __init__(self, *, today: date, cut: datetime, cal, sites: list):
        self.today, self.cut, self.cal, self.tz = today, cut, cal, cut.tzinfo
        self.sites = sites  # [places.Site] with site_type, district and responsible_unit
        self.rng = random.Random(SEED)
        self.cases: list[Case] = []
        self.used: set[tuple] = set()  # (site or district and address, category) of the cases
        self.points: dict[str, list] = {}  # category -> the cases' points
        self.drawn = 0

    def report_moment(self, rng, source: str) -> datetime:
        """When a case was found: staff in office hours on working days, citizens any day."""
        while True:
            back = int(DAYS * (1 - math.sqrt(rng.random())))  # busier lately, as the assessment nears
            day = self.today - timedelta(days=back)
            if source == "citizen":  # any day, from morning to evening
                moment = datetime.combine(day, time(7), self.tz) + timedelta(minutes=rng.randrange(14 * 60))
            else:
                while not self.cal.is_workday(day):
                    day -= timedelta(days=1)
                moment = datetime.combine(day, time(8, 40), self.tz) + timedelta(minutes=rng.randrange(500))
            if moment < self.cut:
                return moment

    def place(self, rng, at_site: bool) -> Place:
        if at_site:
            site = rng.choice(self.sites)
            return Place(district=site.district.code, site=site)
        weights = {code: DISTRICT_WEIGHTS.get(code, 4.4) for code, *_ in city.COUNTIES}
        district = pick(rng, weights)
        street = None
        if district in city.STREETS:
            j = rng.randrange(len(city.STREETS[district]))
            road = city.STREETS[district][j][1]
            street = f"{district}-J{j + 1:02d}"
        else:
            road = rng.choice(texts.ROADS)
        address = f"{road}{rng.randint(1, 280)}号{rng.choice(texts.LANDMARKS)}"
        point = None
        if district in CENTRES and rng.random() < 0.7:
            point = self.point_near(CENTRES[district], rng)
        return Place(district=district, address=address, street=street, point=point)

    @staticmethod
    def point_near(centre, rng) -> tuple[Decimal, Decimal]:
        """A WGS-84 point within ~1.5 km of a district centre given in GCJ-02."""
        lng, lat = centre
        north, east = rng.uniform(-1500, 1500), rng.uniform(-1500, 1500)
        lat += math.degrees(north / geo.EARTH_RADIUS_M)
        lng += math.degrees(east / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat))))
        wlng, wlat = geo.gcj02_to_wgs84(lng, lat)
        return Decimal(f"{wlng:.7f}"), Decimal(f"{wlat:.7f}")

    @staticmethod
    def category_at(rng, place: Place) -> str:
        """Mostly what the site's type is checked for; besides, what any street may show."""
        if place.site is None:
            return pick(rng, texts.ON_STREET)
        own = texts.AT_SITE_TYPE[place.site.site_type.code]
        vehicle = place.site.site_type.code in texts.VEHICLE_TYPES
        return rng.choice(own) if vehicle or rng.random() < 0.6 else pick(rng, texts.ON_STREET)

    @staticmethod
    def spot(place: Place, category: str) -> tuple:
        return (place.site.pk if place.site else (place.district, place.address), category)

    @staticmethod
    def point_of(place: Place) -> tuple | None:
        if place.site is not None:
            return (place.site.lng, place.site.lat) if place.site.lng is not None else None
        return place.point

    def taken(self, place: Place, category: str) -> bool:
        """Would a report here be "the same place" (duplicates.py) as an earlier case's?"""
        if self.spot(place, category) in self.used:
            return True
        point = self.point_of(place)
        return point is not None and any(geo.haversine_m(point, other) <= NEAR_METRES + 10
                                         for other in self.points.get(category, ()))

    def take(self, place: Place, category: str) -> None:
        self.used.add(self.spot(place, category))
        if (point := self.point_of(place)) is not None:
            self.points.setdefault(category, []).append(point)

    def new_case(self, rng, *, source: str | None = None, place: Place | None = None,
                 category: str | None = None) -> Case:
        """A new case; drawn afresh (not reusing a place and category) unless both are given."""
        source = source or pick(rng, SOURCES)
        given = place is not None and category is not None
        at_site = source != "citizen" and rng.random() < SITE_SHARE  # citizens report an address
        for _ in range(50):
            where = place or self.place(rng, at_site)
            what = category or self.category_at(rng, where)
            if given or not self.taken(where, what):
                break
        place, category = where, what
        self.take(place, category)
        if place.site is not None:
            unit = place.site.responsible_unit.code
            named = place.site.name
        else:
            unit = route_of(category, place.district) or place.district  # 其他: HQ gives it to the district
            if unit == place.district and place.street and rng.random() < 0.5:
                unit = place.street  # 属地: HQ sends street-level problems on to the street
            named = place.address
        contact = ("", "")
        if source == "citizen" and rng.random() < 0.4:
            contact = (rng.choice(texts.CITIZEN_NAMES), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}")
        description = rng.choice(texts.DESCRIPTIONS[category]).format(place=named)
        case = Case(key=len(self.cases), source=source, category=category, severity=pick(rng, SEVERITIES),
                    place=place, unit=unit, description=description, contact=contact, seed=self.drawn)
        self.drawn += 1
        self.cases.append(case)
        return case

    def drop_last(self) -> None:
        """Forget the last case drawn (a showcase that found no place in time)."""
        case = self.cases.pop()
        self.used.discard(self.spot(case.place, case.category))
        if (point := self.point_of(case.place)) is not None:
            self.points[case.category].remove(point)
