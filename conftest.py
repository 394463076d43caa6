"""Shared test world: a small city built through the real services, plus a denied persona.

    city (市)
      HQ office (指挥部)            hq_staff: hq
      city leadership (四套班子)    leader: mayor
      dept A (市直部门) → sub A1   unit_head: dept_head; level-1 link mayor → dept A
      district D (县区) → street S → community C1 (head c1_head, liaison c1_liaison) → shop P1
                                   → community C2 (head c2_head)
      district E (县区) → community E1 (head e1_head)          (another district: must be denied)
    sysadmin / secadmin / auditor accounts; `outsider` holds no post at all.

Building the world hashes 13 passwords with Argon2 (the production hasher, which the tests
also check), about two seconds.  So each test worker builds it once, committed, right after
creating the test database (`django_db_setup` below); every `db` test then runs inside a
transaction that is rolled back, and `world` only re-reads the rows (a few milliseconds).
Transactional tests (threads, live server) flush the database when they end; pytest-django
runs them after all `db` tests, and `world`/`transactional_world` rebuild the city whenever
they find it missing, so the order is an optimisation, never a requirement.
"""

import os
from datetime import date
from pathlib import Path

import pytest

PASSWORD = "Kx7-blue-Harbor-19"
# Posts and linkages of the world hold from this day, so tests may freeze time at any later date.
SINCE = date(2020, 1, 1)

# Attribute name → unit code / username / group code, so the world can be re-read by key.
UNITS = {
    "city": "C000",
    "hq_unit": "HQ",
    "leadership": "L01",
    "dept": "D01",
    "dept_sub": "D01-01",
    "district": "Q01",
    "street": "Q01-J01",
    "community": "Q01-J01-S01",
    "shop": "Q01-J01-S01-P01",
    "community2": "Q01-J01-S02",
    "other_district": "Q02",
    "other_community": "Q02-S01",
}
PEOPLE = (
    "hq",
    "mayor",
    "dept_head",
    "district_head",
    "c1_head",
    "c1_liaison",
    "c2_head",
    "e1_head",
    "inspector",
    "outsider",
    "sysadmin",
    "secadmin",
    "auditor",
)
GROUPS = {"group": "G1"}


def pytest_configure(config):
    from django.conf import settings

    # The manifest storage needs `collectstatic`; tests render templates without it.  Settings
    # are already loaded when this file is imported, so an environment default set here would
    # come too late: change the setting itself (before any storage is first used).
    if not os.environ.get("CHUANGWEN_STATIC_STORAGE"):
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    # WhiteNoise warns on every request handler when the collected-static folder is missing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


class World:
    """Attribute bag for the world's units and people."""


def _build_world():
    from chuangwen.accounts.mfa import mfa_provision
    from chuangwen.accounts.roles import Role
    from chuangwen.accounts.services import user_create
    from chuangwen.org import services as org
    from chuangwen.org.models import LinkageLevel, UnitKind

    w = World()
    w.password = PASSWORD

    def person(username, name, *roles):
        return user_create(
            username=username, full_name=name, password=PASSWORD, roles=roles, must_change_password=False
        )

    w.city = org.unit_create(code="C000", name="测试市", kind=UnitKind.CITY)
    w.hq_unit = org.unit_create(
        code="HQ", name="创建全国文明城市指挥部办公室", kind=UnitKind.HQ, parent=w.city
    )
    w.leadership = org.unit_create(code="L01", name="市人民政府", kind=UnitKind.LEADERSHIP, parent=w.city)
    w.dept = org.unit_create(code="D01", name="市住建局", kind=UnitKind.CITY_DEPT, parent=w.city)
    w.dept_sub = org.unit_create(
        code="D01-01", name="市政设施管理处", kind=UnitKind.SUBORDINATE, parent=w.dept
    )
    w.district = org.unit_create(code="Q01", name="城东区", kind=UnitKind.COUNTY, parent=w.city)
    w.street = org.unit_create(code="Q01-J01", name="东街街道", kind=UnitKind.STREET, parent=w.district)
    w.community = org.unit_create(
        code="Q01-J01-S01", name="和平社区", kind=UnitKind.COMMUNITY, parent=w.street
    )
    w.shop = org.unit_create(
        code="Q01-J01-S01-P01", name="和平副食店", kind=UnitKind.SHOP, parent=w.community
    )
    w.community2 = org.unit_create(
        code="Q01-J01-S02", name="友谊社区", kind=UnitKind.COMMUNITY, parent=w.street
    )
    w.other_district = org.unit_create(code="Q02", name="城西区", kind=UnitKind.COUNTY, parent=w.city)
    w.other_community = org.unit_create(
        code="Q02-S01", name="西湖社区", kind=UnitKind.COMMUNITY, parent=w.other_district
    )

    w.hq = person("hq", "甲指挥", Role.HQ_STAFF)
    w.mayor = person("mayor", "乙市长", Role.LEADER)
    w.dept_head = person("dept_head", "丙局长", Role.UNIT_HEAD)
    w.district_head = person("district_head", "丁区长", Role.UNIT_HEAD)
    w.c1_head = person("c1_head", "戊书记", Role.UNIT_HEAD)
    w.c1_liaison = person("c1_liaison", "己联络", Role.LIAISON)
    w.c2_head = person("c2_head", "庚书记", Role.UNIT_HEAD)
    w.e1_head = person("e1_head", "辛书记", Role.UNIT_HEAD)
    w.inspector = person("inspector", "壬督查", Role.INSPECTOR)
    w.outsider = person("outsider", "癸路人", Role.CITIZEN)
    w.sysadmin = person("sysadmin", "系统管理员", Role.SYSADMIN)
    w.secadmin = person("secadmin", "安全管理员", Role.SECADMIN)
    w.auditor = person("auditor", "审计管理员", Role.AUDITOR)
    # The three administrators need the second factor: each has a confirmed TOTP device
    # (`login` marks their sessions verified; the MFA tests compute real codes from it).
    for admin in (w.sysadmin, w.secadmin, w.auditor):
        mfa_provision(user=admin)

    org.post_appoint(person=w.hq, unit=w.hq_unit, title="主任", is_head=True, valid_from=SINCE)
    org.post_appoint(person=w.mayor, unit=w.leadership, title="市长", is_head=True, valid_from=SINCE)
    org.post_appoint(person=w.dept_head, unit=w.dept, title="局长", is_head=True, valid_from=SINCE)
    org.post_appoint(person=w.district_head, unit=w.district, title="区长", is_head=True, valid_from=SINCE)
    org.post_appoint(person=w.c1_head, unit=w.community, title="党委书记", is_head=True, valid_from=SINCE)
    org.post_appoint(person=w.c1_liaison, unit=w.community, title="网格员", is_liaison=True, valid_from=SINCE)
    org.post_appoint(person=w.c2_head, unit=w.community2, title="党委书记", is_head=True, valid_from=SINCE)
    org.post_appoint(person=w.e1_head, unit=w.other_community, title="党委书记", is_head=True, valid_from=SINCE)
    org.linkage_create(level=LinkageLevel.LEADER_DEPT, person=w.mayor, unit=w.dept, valid_from=SINCE)
    org.linkage_create(level=LinkageLevel.DEPT_UNIT, person=w.dept_head, unit=w.dept_sub, valid_from=SINCE)
    org.linkage_create(level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=w.district, unit=w.community, valid_from=SINCE)
    w.group = org.workgroup_create(code="G1", name="优美环境组", lead=w.mayor)
    org.workgroup_add_member(group=w.group, unit=w.dept, is_lead_unit=True)
    return w


def _load_world():
    """The world already in the database, as fresh objects (no per-request caches carried over
    from another test); None if it is not there."""
    from chuangwen.accounts.models import User
    from chuangwen.org.models import Unit, WorkGroup

    units = {u.code: u for u in Unit.objects.filter(code__in=UNITS.values())}
    people = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    groups = {g.code: g for g in WorkGroup.objects.filter(code__in=GROUPS.values())}
    if len(units) != len(UNITS) or len(people) != len(PEOPLE) or len(groups) != len(GROUPS):
        return None
    w = World()
    w.password = PASSWORD
    for attr, code in UNITS.items():
        setattr(w, attr, units[code])
    for username in PEOPLE:
        setattr(w, username, people[username])
    for attr, code in GROUPS.items():
        setattr(w, attr, groups[code])
    return w


def _world():
    return _load_world() or _build_world()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the world once per test database (see the module docstring)."""
    with django_db_blocker.unblock():
        _world()


@pytest.fixture
def world(db):
    return _world()


@pytest.fixture
def transactional_world(transactional_db):
    return _world()


@pytest.fixture
def login(client):
    """Log `user` in on the test client without the password form (fast: no Argon2 check).
    The `user_logged_in` signal still runs, so the session carries its login time; tests of the
    login itself use `login_post`.  Someone who needs the second factor and has a device gets
    a session already verified with it (`verified=False` leaves it owing the code)."""

    def _login(user, c=None, *, verified=True):
        c = c or client
        c.force_login(user)
        if verified and user.needs_mfa:
            from django_otp import DEVICE_ID_SESSION_KEY

            from chuangwen.accounts.mfa import confirmed_device

            device = confirmed_device(user)
            if device is not None:
                session = c.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
        return c

    return _login


@pytest.fixture
def login_post(client):
    """Log in through the real login form (axes, signals, session key rotation all run).
    Returns the response; `c` defaults to the test client."""

    def _login_post(username, password=PASSWORD, *, c=None, ip="192.0.2.10"):
        c = c or client
        return c.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)

    return _login_post


@pytest.fixture
def clean_env():
    """The environment for a child process that must see production defaults: none of this
    run's CHUANGWEN_* settings or DJANGO_* switches (the browser tests set one for themselves)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CHUANGWEN_", "DJANGO_"))}


@pytest.fixture(autouse=True)
def _sqlite_audit_triggers(request):
    """SQLite flushes a transactional test's database with DELETE, which the append-only
    trigger refuses; lift the triggers for the flush only and restore them before each test."""
    uses_flush = any(f in request.fixturenames for f in ("transactional_db", "live_server"))
    if not uses_flush:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from chuangwen.audit import triggers

    if connection.vendor == "sqlite":
        triggers.apply(connection, create=True)
    yield
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=False)


@pytest.fixture
def core_demo_only(monkeypatch):
    """`load_demo` without the layers built on the city, its sites and its plan (problems,
    supervision, evaluation, rewards): for the tests of those three, which would otherwise spend
    a minute loading layers they do not look at.  Each layer's own test loads it."""
    from chuangwen.dashboard.management.commands import load_demo

    monkeypatch.setattr(load_demo, "LAYERS", [])
