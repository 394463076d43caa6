"""The scope rule (ARCHITECTURE.md): every org page and the export show a person only the units
they see, and nothing at all to roles that hold no business scope."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_create
from chuangwen.org import services
from chuangwen.org.models import LinkageLevel, Post, Unit, UnitKind
from chuangwen.org.selectors import people_visible_to, units_visible_to

pytestmark = pytest.mark.django_db


def visible_codes(user) -> set[str]:
    return set(units_visible_to(user).values_list("code", flat=True))


def export_codes(client) -> set[str]:
    response = client.get("/org/units/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "单位编码"
    return {row[0] for row in rows[1:]}


def subtree_codes(*units) -> set[str]:
    codes = set()
    for unit in units:
        codes |= set(Unit.objects.subtree_of(unit).values_list("code", flat=True))
    return codes


# --- a head in another district -------------------------------------------------------------


class TestOtherDistrictHead:
    """e1_head heads 西湖社区 in 城西区 and must learn nothing about 城东区."""

    def test_gets_404_on_unit_detail_outside_scope(self, world, login):
        c = login(world.e1_head)
        for unit in (world.community, world.street, world.district, world.shop, world.other_district):
            response = c.get(f"/org/units/{unit.code}/")
            assert response.status_code == 404, unit.code
            assert unit.name not in response.content.decode()

    def test_sees_own_unit_detail(self, world, login):
        response = login(world.e1_head).get(f"/org/units/{world.other_community.code}/")
        assert response.status_code == 200
        assert "西湖社区" in response.content.decode()

    def test_gets_404_on_children_partial_outside_scope(self, world, login):
        c = login(world.e1_head)
        for unit in (world.street, world.community, world.other_district):
            response = c.get(f"/org/units/{unit.code}/children/")
            assert response.status_code == 404, unit.code
        assert "和平社区" not in c.get(f"/org/units/{world.street.code}/children/").content.decode()

    def test_gets_404_on_group_detail_of_a_group_without_its_units(self, world, login):
        c = login(world.e1_head)
        response = c.get(f"/org/groups/{world.group.code}/")
        assert response.status_code == 404
        assert "优美环境组" not in response.content.decode()
        assert "优美环境组" not in c.get("/org/groups/").content.decode()

    def test_gets_404_on_person_detail_outside_scope(self, world, login):
        c = login(world.e1_head)
        for person in (world.c1_head, world.c1_liaison, world.district_head, world.mayor, world.outsider):
            response = c.get(f"/org/people/{person.username}/")
            assert response.status_code == 404, person.username
            assert person.full_name not in response.content.decode()

    def test_unit_search_leaves_out_units_outside_scope(self, world, login):
        body = login(world.e1_head).get("/org/units/", {"q": "社区"}).content.decode()
        assert "西湖社区" in body
        assert "和平社区" not in body
        assert "友谊社区" not in body

    def test_unit_search_by_exact_code_outside_scope_finds_nothing(self, world, login):
        body = login(world.e1_head).get("/org/units/", {"q": world.community.code}).content.decode()
        assert "和平社区" not in body
        assert "没有找到匹配的单位" in body

    def test_unit_tree_starts_at_own_unit(self, world, login):
        body = login(world.e1_head).get("/org/units/").content.decode()
        assert "西湖社区" in body
        for name in ("测试市", "城西区", "城东区", "和平社区"):
            assert name not in body

    def test_person_list_leaves_out_people_outside_scope(self, world, login):
        body = login(world.e1_head).get("/org/people/").content.decode()
        assert "辛书记" in body
        for name in ("戊书记", "己联络", "丁区长", "乙市长", "癸路人"):
            assert name not in body

    def test_export_holds_only_units_in_scope(self, world, login):
        assert export_codes(login(world.e1_head)) == {world.other_community.code}


# --- people with no business scope ---------------------------------------------------------

ORG_PAGES = (
    "/org/units/",
    "/org/units/?q=社区",
    "/org/units/Q01-J01-S01/",
    "/org/units/Q01-J01-S01/children/",
    "/org/groups/",
    "/org/groups/G1/",
    "/org/people/",
    "/org/people/c1_head/",
    "/org/units/export.xlsx",
)


@pytest.mark.parametrize("persona", ["outsider", "auditor", "sysadmin"])
def test_roles_without_business_scope_get_403_on_every_org_page(world, login, persona):
    c = login(getattr(world, persona))
    for url in ORG_PAGES:
        response = c.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "和平社区" not in body and "戊书记" not in body


@pytest.mark.parametrize("persona", ["outsider", "auditor", "sysadmin"])
def test_roles_without_business_scope_see_no_units_or_people(world, persona):
    user = getattr(world, persona)
    assert visible_codes(user) == set()
    assert set(people_visible_to(user).values_list("username", flat=True)) <= {user.username}


def test_home_page_of_the_auditor_shows_no_unit_figures(world, login):
    body = login(world.auditor).get("/").content.decode()
    assert "可见单位" not in body


# --- people who see everything -------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hq", "mayor"])
def test_hq_staff_and_leaders_see_every_unit_and_export_it(world, login, persona):
    user = getattr(world, persona)
    every = set(Unit.objects.values_list("code", flat=True))
    assert visible_codes(user) == every
    assert export_codes(login(user)) == every


@pytest.mark.parametrize("persona", ["hq", "mayor"])
def test_hq_staff_and_leaders_open_any_unit_person_and_group(world, login, persona):
    c = login(getattr(world, persona))
    assert c.get(f"/org/units/{world.other_community.code}/").status_code == 200
    assert c.get(f"/org/people/{world.e1_head.username}/").status_code == 200
    assert c.get(f"/org/groups/{world.group.code}/").status_code == 200


# --- how the scope grows -------------------------------------------------------------------


def test_a_post_shows_the_whole_subtree_below_it_and_nothing_above(world):
    assert visible_codes(world.district_head) == subtree_codes(world.district)
    assert visible_codes(world.c1_head) == subtree_codes(world.community)
    assert world.street.code not in visible_codes(world.c1_head)


def test_a_liaison_sees_the_subtree_of_their_unit(world):
    assert visible_codes(world.c1_liaison) == subtree_codes(world.community)


def test_level1_linkage_shows_the_linked_department_to_a_leadership_member(world, login):
    # A 人大 vice-chair sits in a leadership body without the see-all `leader` role, so the
    # level-1 link is the only way they see the department.
    congress = services.unit_create(
        code="L02", name="市人大常委会", kind=UnitKind.LEADERSHIP, parent=world.city
    )
    vice = user_create(username="renda_vice", full_name="子副主任", password=None, roles=[Role.DEPUTY])
    services.post_appoint(person=vice, unit=congress, title="副主任")
    assert visible_codes(vice) == {"L02"}

    services.linkage_create(level=LinkageLevel.LEADER_DEPT, person=vice, unit=world.dept)

    assert visible_codes(vice) == {"L02"} | subtree_codes(world.dept)
    c = login(vice)
    assert c.get(f"/org/units/{world.dept_sub.code}/").status_code == 200
    assert c.get(f"/org/units/{world.district.code}/").status_code == 404


def test_ending_a_level1_linkage_takes_the_department_out_of_scope(world, time_machine):
    congress = services.unit_create(
        code="L02", name="市人大常委会", kind=UnitKind.LEADERSHIP, parent=world.city
    )
    vice = user_create(username="renda_vice", full_name="子副主任", password=None, roles=[Role.DEPUTY])
    services.post_appoint(person=vice, unit=congress, title="副主任")
    link = services.linkage_create(level=LinkageLevel.LEADER_DEPT, person=vice, unit=world.dept)
    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    services.linkage_end(linkage=link, on=timezone.localdate() - timedelta(days=1))
    assert visible_codes(User.objects.get(pk=vice.pk)) == {"L02"}


def test_level3_linkage_shows_the_linked_community_to_the_districts_post_holders(world, login):
    # The world links 城东区 → 和平社区 at level 3.
    c = login(world.district_head)
    response = c.get(f"/org/units/{world.district.code}/")
    assert response.status_code == 200
    assert "和平社区" in response.content.decode()  # listed under 本单位挂钩的
    assert world.community.code in visible_codes(world.district_head)


def test_level3_linkage_does_not_open_the_district_to_the_community(world, login):
    c = login(world.c1_head)
    assert c.get(f"/org/units/{world.district.code}/").status_code == 404
    assert c.get(f"/org/units/{world.community2.code}/").status_code == 404


def test_group_lead_sees_the_member_units_of_their_group(world, login):
    lead = user_create(username="glead", full_name="丑组长", password=None, roles=[Role.GROUP_LEAD])
    assert visible_codes(lead) == set()
    group = services.workgroup_create(code="G2", name="优良秩序组", lead=lead)
    services.workgroup_add_member(group=group, unit=world.other_district)
    lead = User.objects.get(pk=lead.pk)  # a new request: the scope is computed afresh

    assert visible_codes(lead) == subtree_codes(world.other_district)
    c = login(lead)
    assert c.get(f"/org/units/{world.other_community.code}/").status_code == 200
    assert c.get(f"/org/units/{world.district.code}/").status_code == 404
    assert c.get("/org/groups/G2/").status_code == 200
    assert c.get(f"/org/groups/{world.group.code}/").status_code == 404
    assert export_codes(c) == subtree_codes(world.other_district)


def test_group_staff_see_the_member_units_of_the_group_they_serve(world):
    group = services.workgroup_create(code="G2", name="优良秩序组", lead=world.mayor)
    services.workgroup_add_member(group=group, unit=world.other_district)
    assert visible_codes(world.inspector) == set()
    services.workgroup_set_staff(group=group, people=[world.inspector])
    assert visible_codes(world.inspector) == subtree_codes(world.other_district)


def test_an_ended_post_no_longer_gives_scope(world, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=3), tick=False)
    post = Post.objects.get(person=world.c2_head, unit=world.community2)
    services.post_end(post=post, on=timezone.localdate() - timedelta(days=1))
    user = User.objects.get(pk=world.c2_head.pk)
    assert visible_codes(user) == set()


# --- no N+1 on the lists -------------------------------------------------------------------


CROWD = 15


@pytest.fixture
def crowded_world(world):
    """CROWD more units, people and groups, so a per-row query would show in the count."""
    lead = user_create(username="glead", full_name="丑组长", password=None, roles=[Role.GROUP_LEAD])
    for i in range(CROWD):
        unit = services.unit_create(
            code=f"Q03-{i:02d}", name=f"新城社区{i}", kind=UnitKind.COMMUNITY, parent=world.other_district
        )
        services.unit_create(code=f"Q03-{i:02d}-P", name=f"新城商户{i}", kind=UnitKind.SHOP, parent=unit)
        person = user_create(
            username=f"head{i:02d}", full_name=f"新书记{i}", password=None, roles=[Role.UNIT_HEAD]
        )
        services.post_appoint(person=person, unit=unit, title="书记", is_head=True)
        services.post_appoint(person=person, unit=world.hq_unit, title="兼职")
        group = services.workgroup_create(code=f"G-{i:02d}", name=f"第{i}组", lead=lead)
        services.workgroup_add_member(group=group, unit=unit, is_lead_unit=True)
        services.workgroup_add_member(group=group, unit=world.dept)
    world.glead = lead
    return world


def test_unit_tree_of_a_person_with_many_roots_runs_a_fixed_number_of_queries(
    crowded_world, login, django_assert_max_num_queries
):
    c = login(crowded_world.glead)  # the CROWD communities and the department are its roots
    with django_assert_max_num_queries(6):
        response = c.get("/org/units/")
    assert response.content.decode().count('class="cw-node"') == CROWD + 1


def test_unit_search_runs_a_fixed_number_of_queries(crowded_world, login, django_assert_max_num_queries):
    c = login(crowded_world.hq)
    with django_assert_max_num_queries(3):
        response = c.get("/org/units/", {"q": "新城"})
    assert response.content.decode().count("list-group-item") == 2 * CROWD


def test_person_list_runs_a_fixed_number_of_queries(crowded_world, login, django_assert_max_num_queries):
    c = login(crowded_world.hq)
    with django_assert_max_num_queries(5):
        response = c.get("/org/people/")
    body = response.content.decode()
    assert body.count("新书记") == CROWD and body.count("兼职") == CROWD


def test_group_list_runs_a_fixed_number_of_queries(crowded_world, login, django_assert_max_num_queries):
    c = login(crowded_world.glead)
    with django_assert_max_num_queries(7):
        response = c.get("/org/groups/")
    # The groups it leads, and 优美环境组 whose member 市住建局 is in its groups too.
    assert response.content.decode().count("card-body") == CROWD + 1


def test_unit_detail_runs_a_fixed_number_of_queries(crowded_world, login, django_assert_max_num_queries):
    c = login(crowded_world.hq)
    with django_assert_max_num_queries(10):
        response = c.get(f"/org/units/{crowded_world.other_district.code}/")
    assert response.content.decode().count("新城社区") == CROWD
