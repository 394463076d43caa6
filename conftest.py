"""Shared test world: a small city built through the real services, plus a denied persona.

    city (市)
      HQ office (指挥部)            hq_staff: hq
      city leadership (四套班子)    leader: mayor
      dept A (市直部门) → sub A1   unit_head: dept_head; level-1 link mayor → dept A
      district D (县区) → street S → community C1 (head c1_head, liaison c1_liaison) → shop P1
                                   → community C2 (head c2_head)
      district E (县区) → community E1 (head e1_head)          (another district: must be denied)
    sysadmin / secadmin / auditor accounts; `outsider` holds no post at all.
"""

import os

import pytest

os.environ.setdefault("CHUANGWEN_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

PASSWORD = "Kx7-blue-Harbor-19"


class World:
    """Attribute bag for the world's units and people."""


def _build_world():
    from chuangwen.accounts.roles import Role
    from chuangwen.accounts.services import user_create
    from chuangwen.org import services as org
    from chuangwen.org.models import LinkageLevel, UnitKind

    w = World()
    w.password = PASSWORD

    def person(username, name, *roles):
        return user_create(username=username, full_name=name, password=PASSWORD, roles=roles,
                           must_change_password=False)

    w.city = org.unit_create(code="C000", name="测试市", kind=UnitKind.CITY)
    w.hq_unit = org.unit_create(code="HQ", name="创建全国文明城市指挥部办公室", kind=UnitKind.HQ, parent=w.city)
    w.leadership = org.unit_create(code="L01", name="市人民政府", kind=UnitKind.LEADERSHIP, parent=w.city)
    w.dept = org.unit_create(code="D01", name="市住建局", kind=UnitKind.CITY_DEPT, parent=w.city)
    w.dept_sub = org.unit_create(code="D01-01", name="市政设施管理处", kind=UnitKind.SUBORDINATE, parent=w.dept)
    w.district = org.unit_create(code="Q01", name="城东区", kind=UnitKind.COUNTY, parent=w.city)
    w.street = org.unit_create(code="Q01-J01", name="东街街道", kind=UnitKind.STREET, parent=w.district)
    w.community = org.unit_create(code="Q01-J01-S01", name="和平社区", kind=UnitKind.COMMUNITY, parent=w.street)
    w.shop = org.unit_create(code="Q01-J01-S01-P01", name="和平副食店", kind=UnitKind.SHOP, parent=w.community)
    w.community2 = org.unit_create(code="Q01-J01-S02", name="友谊社区", kind=UnitKind.COMMUNITY, parent=w.street)
    w.other_district = org.unit_create(code="Q02", name="城西区", kind=UnitKind.COUNTY, parent=w.city)
    w.other_community = org.unit_create(code="Q02-S01", name="西湖社区", kind=UnitKind.COMMUNITY,
                                        parent=w.other_district)

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

    org.post_appoint(person=w.hq, unit=w.hq_unit, title="主任", is_head=True)
    org.post_appoint(person=w.mayor, unit=w.leadership, title="市长", is_head=True)
    org.post_appoint(person=w.dept_head, unit=w.dept, title="局长", is_head=True)
    org.post_appoint(person=w.district_head, unit=w.district, title="区长", is_head=True)
    org.post_appoint(person=w.c1_head, unit=w.community, title="党委书记", is_head=True)
    org.post_appoint(person=w.c1_liaison, unit=w.community, title="网格员", is_liaison=True)
    org.post_appoint(person=w.c2_head, unit=w.community2, title="党委书记", is_head=True)
    org.post_appoint(person=w.e1_head, unit=w.other_community, title="党委书记", is_head=True)
    org.linkage_create(level=LinkageLevel.LEADER_DEPT, person=w.mayor, unit=w.dept)
    org.linkage_create(level=LinkageLevel.DEPT_UNIT, person=w.dept_head, unit=w.dept_sub)
    org.linkage_create(level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=w.district, unit=w.community)
    w.group = org.workgroup_create(code="G1", name="优美环境组", lead=w.mayor)
    org.workgroup_add_member(group=w.group, unit=w.dept, is_lead_unit=True)
    return w


@pytest.fixture
def world(db):
    return _build_world()


@pytest.fixture
def transactional_world(transactional_db):
    return _build_world()


@pytest.fixture
def login(client):
    """Log `user` in on the test client (through the real login, so signals and axes run)."""

    def _login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return _login


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
