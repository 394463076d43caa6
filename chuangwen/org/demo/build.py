"""Build the demo city through the services (so every row is audited, actor = system).

Call `build_city()` inside a transaction; it returns the demo logins' passwords.
"""

import random

from django.conf import settings

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_create
from chuangwen.org import services as org
from chuangwen.org.models import LinkageLevel, Unit, UnitKind

from . import data
from .accounts import new_password

_LOGIN_ROLES = {username: role for role, username in data.DEMO_LOGINS}


class CityBuilder:
    def __init__(self, city_name: str):
        self.city_name = city_name
        self.short = city_name.removesuffix("市") or city_name
        self.rng = random.Random(data.NAME_SEED)
        self.used_names: set[str] = set(data.REAL_NAMES)
        self.units: dict[str, Unit] = {}
        self.city: Unit | None = None
        self.people: dict[str, User] = {}
        self.passwords: dict[str, str] = {}
        self.shop_names: set[str] = set()  # unique in the city, so a search finds one shop

    # --- helpers ---------------------------------------------------------------------------

    def invent_name(self) -> str:
        while True:
            given = self.rng.choice(data.GIVEN_FIRST)
            if self.rng.random() < 0.7:  # most Chinese given names have two characters
                given += self.rng.choice(data.GIVEN_SECOND)
            name = self.rng.choice(data.SURNAMES) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def person(self, username: str, roles) -> User:
        """A person; only the demo logins get a (hashed, slow) usable password."""
        full_name = self.invent_name()
        password = None
        if username in _LOGIN_ROLES:
            password = new_password(User(username=username, full_name=full_name))
            self.passwords[username] = password
        user = user_create(username=username, full_name=full_name, password=password, roles=roles,
                           must_change_password=False)
        self.people[username] = user
        return user

    def unit(self, code: str, name: str, kind: str, parent: Unit | None, order: int,
             address: str = "") -> Unit:
        unit = org.unit_create(code=code, name=name.format(c=self.short), kind=kind, parent=parent,
                               sort_order=order, address=address)
        self.units[code] = unit
        return unit

    def appoint(self, person: User, unit: Unit, title: str, *, head=False, liaison=False) -> None:
        org.post_appoint(person=person, unit=unit, title=title, is_head=head, is_liaison=liaison,
                         valid_from=data.SINCE)

    def staffed(self, unit: Unit, head_title: str, liaison_title: str = "") -> None:
        """Give a unit its head (一把手) and, if asked, its liaison."""
        code = unit.code
        username = data.USERNAME_OVERRIDES.get((code, "head"), f"{code.lower()}.head")
        self.appoint(self.person(username, (Role.UNIT_HEAD,)), unit, head_title, head=True)
        if liaison_title:
            username = data.USERNAME_OVERRIDES.get((code, "liaison"), f"{code.lower()}.liaison")
            self.appoint(self.person(username, (Role.LIAISON,)), unit, liaison_title, liaison=True)

    # --- the city, top down -----------------------------------------------------------------

    def build(self) -> dict[str, str]:
        self.city = self.unit(data.CITY_CODE, self.city_name, UnitKind.CITY, None, 0)
        hq = self.unit(data.HQ_CODE, "创建全国文明城市指挥部办公室", UnitKind.HQ, self.city, 1)
        self.leadership()
        for username, title, head, roles in data.HQ_POSTS:
            self.appoint(self.person(username, roles), hq, title, head=head)
        self.departments()
        self.stationed()
        self.counties()
        for district in data.URBAN_DISTRICTS:
            self.streets_and_communities(self.units[district])
        self.groups()
        self.linkages()
        for username, roles in data.UNPOSTED:
            self.person(username, roles)
        return self.passwords

    def leadership(self) -> None:
        group_leads = {lead for _, _, lead, *_ in data.GROUPS}
        dept_heads = set(data.DEPT_HEAD_IS_LEADER.values())
        for order, (code, name, posts) in enumerate(data.LEADERSHIP, start=10):
            body = self.unit(code, name, UnitKind.LEADERSHIP, self.city, order)
            for username, title, head in posts:
                if _LOGIN_ROLES.get(username) == Role.GROUP_LEAD:
                    # The group_lead demo login sees through its group only, to show that scope.
                    roles = {Role.GROUP_LEAD}
                else:
                    roles = {Role.LEADER}
                    roles |= {Role.GROUP_LEAD} if username in group_leads else set()
                    roles |= {Role.UNIT_HEAD} if username in dept_heads else set()
                self.appoint(self.person(username, roles), body, title, head=head)

    def departments(self) -> None:
        for order, (code, name, head_title, subs) in enumerate(data.DEPARTMENTS, start=100):
            dept = self.unit(code, name, UnitKind.CITY_DEPT, self.city, order)
            leader = data.DEPT_HEAD_IS_LEADER.get(code)
            if leader:
                self.appoint(self.people[leader], dept, head_title, head=True)
                self.appoint(self.person(f"{code.lower()}.liaison", (Role.LIAISON,)), dept, "办公室主任",
                             liaison=True)
            else:
                self.staffed(dept, head_title, "办公室主任")
            for i, (sub_name, sub_title) in enumerate(subs, start=1):
                sub = self.unit(f"{code}-{i:02d}", sub_name, UnitKind.SUBORDINATE, dept, i)
                self.staffed(sub, sub_title)

    def stationed(self) -> None:
        for order, (code, name, head_title) in enumerate(data.STATIONED, start=200):
            self.staffed(self.unit(code, name, UnitKind.STATIONED, self.city, order), head_title, "综合部经理")

    def counties(self) -> None:
        for order, (code, name, kind, head_title, liaison_title) in enumerate(data.COUNTIES, start=300):
            self.staffed(self.unit(code, name, kind, self.city, order), head_title, liaison_title)

    def streets_and_communities(self, district: Unit) -> None:
        names = iter(data.COMMUNITY_NAMES[self._communities_before(district.code):])
        for j, (street_name, road, count) in enumerate(data.STREETS[district.code], start=1):
            street = self.unit(f"{district.code}-J{j:02d}", street_name, UnitKind.STREET, district, j)
            self.staffed(street, "党工委书记")
            for s in range(1, count + 1):
                community = self.unit(f"{street.code}-S{s:02d}", f"{next(names)}社区", UnitKind.COMMUNITY,
                                      street, s, address=f"{road}{s * 12 + j}号")
                self.staffed(community, "党委书记", "专职网格员")
                if district.code == data.SHOP_DISTRICT:
                    self.shops(community, road)

    @staticmethod
    def _communities_before(district_code: str) -> int:
        """Communities of the districts listed earlier: their names are taken."""
        total = 0
        for code in data.URBAN_DISTRICTS:
            if code == district_code:
                return total
            total += sum(count for *_, count in data.STREETS[code])
        return total

    def shops(self, community: Unit, road: str) -> None:
        for p in range(1, data.SHOPS_PER_COMMUNITY + 1):
            while True:
                name = self.rng.choice(data.SHOP_BRANDS) + self.rng.choice(data.SHOP_TYPES)
                if name not in self.shop_names:
                    self.shop_names.add(name)
                    break
            number = self.rng.randrange(1, 300)
            shop = self.unit(f"{community.code}-P{p:03d}", name, UnitKind.SHOP, community, p,
                             address=f"{road}{number}号")
            self.staffed(shop, "店主")

    # --- working groups and 三级挂钩 ----------------------------------------------------------

    def groups(self) -> None:
        for order, (code, name, lead, lead_unit, members, duties) in enumerate(data.GROUPS, start=1):
            group = org.workgroup_create(code=code, name=name, lead=self.people[lead], duties=duties,
                                         sort_order=order)
            org.workgroup_add_member(group=group, unit=self.units[lead_unit], is_lead_unit=True)
            for member in members:
                org.workgroup_add_member(group=group, unit=self.units[member])
            staff = "hq.deputy" if lead_unit == data.HQ_CODE else f"{lead_unit.lower()}.liaison"
            org.workgroup_set_staff(group=group, people=[self.people[staff]])

    def linkages(self) -> None:
        for leader, codes in data.LEVEL1.items():
            for code in codes:
                org.linkage_create(level=LinkageLevel.LEADER_DEPT, person=self.people[leader],
                                   unit=self.units[code], valid_from=data.SINCE)
        for code, _, _, subs in data.DEPARTMENTS:
            head = self.people[data.DEPT_HEAD_IS_LEADER.get(code, f"{code.lower()}.head")]
            for i in range(1, len(subs) + 1):
                org.linkage_create(level=LinkageLevel.DEPT_UNIT, person=head,
                                   unit=self.units[f"{code}-{i:02d}"], valid_from=data.SINCE)
        for district in data.URBAN_DISTRICTS:
            source = self.units[district]
            for community in Unit.objects.filter(path__startswith=source.path, kind=UnitKind.COMMUNITY):
                org.linkage_create(level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=source, unit=community,
                                   valid_from=data.SINCE)


def build_city() -> dict[str, str]:
    return CityBuilder(settings.CITY_NAME).build()
