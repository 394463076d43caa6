"""Pages render for the HQ office with what each shows; the admin site writes through the
services; every page carries the security headers."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_create
from chuangwen.audit.models import Entry
from chuangwen.org import services
from chuangwen.org.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def section(body: str, heading: str) -> str:
    """The part of a page from a heading to the end of its card."""
    return body.split(heading, 1)[1].split("</section>", 1)[0]


@pytest.fixture
def hq(world, login):
    return login(world.hq)


# --- home and navigation ---------------------------------------------------------------------


def test_home_greets_and_counts_visible_units(world, hq):
    body = text(hq.get("/"))
    assert "您好,甲指挥" in body
    assert "创建全国文明城市指挥部办公室" in body  # the post
    assert f"共 {Unit.objects.active().count()} 个" in body


def test_home_of_a_community_head_counts_only_their_units(world, login):
    body = text(login(world.c1_head).get("/"))
    assert "共 2 个" in body  # 和平社区 and its shop


def test_navigation_offers_the_admin_site_to_hq_staff_only(world, hq, login):
    assert 'href="/manage/"' in text(hq.get("/"))
    assert 'href="/manage/"' not in text(login(world.c1_head).get("/"))
    assert 'href="/manage/"' not in text(login(world.outsider).get("/"))


def test_navigation_hides_org_pages_from_a_citizen(world, login):
    body = text(login(world.outsider).get("/"))
    assert "/org/units/" not in body and "暂无任职信息" in body


# --- organisation pages ----------------------------------------------------------------------


def test_unit_tree_shows_the_city_with_its_children(world, hq):
    body = text(hq.get("/org/units/"))
    assert 'data-testid="unit-tree"' in body and "测试市" in body
    assert "5 个下级" in body  # HQ, leadership, department and the two districts
    assert 'hx-get="/org/units/C000/children/"' in body


def test_unit_tree_children_partial_lists_the_next_level(world, hq):
    body = text(hq.get(f"/org/units/{world.district.code}/children/"))
    assert "<html" not in body
    assert "东街街道" in body and "2 个下级" in body


def test_unit_search_finds_by_name_and_code(world, hq):
    body = text(hq.get("/org/units/", {"q": "社区"}))
    for name in ("和平社区", "友谊社区", "西湖社区"):
        assert name in body
    assert "测试市/城东区/东街街道/和平社区" in body
    assert "和平副食店" in text(hq.get("/org/units/", {"q": world.shop.code}))
    assert "没有找到匹配的单位" in text(hq.get("/org/units/", {"q": "不存在的单位"}))


def test_unit_detail_shows_head_liaison_links_groups_children_and_history(world, login, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=5), tick=False)
    hq = login(world.hq)
    successor = user_create(username="c1_new", full_name="子书记", password=None, roles=[Role.UNIT_HEAD])
    services.post_appoint(
        person=successor, unit=world.community, title="党委书记", is_head=True, actor=world.hq
    )
    services.workgroup_add_member(group=world.group, unit=world.community, duties="背街小巷整治")
    services.unit_rename(unit=world.community, name="和平新村社区", actor=world.hq)

    body = text(hq.get(f"/org/units/{world.community.code}/"))
    head = body.split('data-testid="head"', 1)[1].split("</dd>", 1)[0]
    assert "子书记" in head and "党委书记" in head
    assert "己联络" in section(body, "一把手与联络员").split("联络员</dt>", 1)[1]
    past = section(body, "历任")
    assert "戊书记" in past and "(一把手)" in past
    links = section(body, "挂钩关系")
    assert "三级:城区挂钩社区:城东区" in links
    assert "优美环境组" in section(body, "所属工作组")
    assert "和平副食店" in section(body, "下级单位")
    history = section(body, "沿革")
    assert "更名" in history and "原名 和平社区" in history and "设立" in history
    # The breadcrumb walks down the tree to the unit.
    crumbs = body.split('class="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert (
        crumbs.index("测试市")
        < crumbs.index("城东区")
        < crumbs.index("东街街道")
        < crumbs.index("和平新村社区")
    )


def test_unit_detail_shows_the_links_a_unit_makes(world, hq):
    body = text(hq.get(f"/org/units/{world.district.code}/"))
    links = section(body, "挂钩关系").split("本单位挂钩的", 1)[1]
    assert "和平社区" in links


def test_unit_detail_shows_level1_and_level2_links_to_a_department(world, hq):
    dept = section(text(hq.get(f"/org/units/{world.dept.code}/")), "挂钩关系")
    assert "一级:市领导挂钩市级部门:乙市长" in dept
    sub = section(text(hq.get(f"/org/units/{world.dept_sub.code}/")), "挂钩关系")
    assert "二级:部门领导挂钩所辖单位:丙局长" in sub


def test_unit_detail_of_a_merged_unit_says_where_it_went(world, hq):
    services.unit_merge(unit=world.community2, into=world.community, actor=world.hq)
    body = text(hq.get(f"/org/units/{world.community2.code}/"))
    assert "已撤销,并入 和平社区" in body
    assert "合并" in section(body, "沿革")


def test_group_list_and_detail(world, hq):
    services.workgroup_set_staff(group=world.group, people=[world.inspector])
    body = text(hq.get("/org/groups/"))
    assert "优美环境组" in body and "牵头领导:乙市长" in body and "成员单位 1 个" in body
    body = text(hq.get(f"/org/groups/{world.group.code}/"))
    assert "市住建局" in body and "牵头" in body and "工作组成员:壬督查" in body


def test_person_list_shows_current_posts_and_searches(world, hq):
    body = text(hq.get("/org/people/"))
    assert "戊书记" in body and "和平社区 党委书记" in body
    rows = text(hq.get("/org/people/", {"q": "书记"})).split("<tbody>", 1)[1]
    assert "戊书记" in rows and "甲指挥" not in rows
    assert "甲指挥" in text(hq.get("/org/people/", {"q": "hq"})).split("<tbody>", 1)[1]


def test_person_detail_shows_posts_links_and_groups(world, hq):
    body = text(hq.get(f"/org/people/{world.mayor.username}/"))
    assert "市人民政府" in body and "市长" in body and "一把手" in body
    assert "一级:市领导挂钩市级部门:" in body and "市住建局" in body
    assert "优美环境组" in body
    assert "市领导" in body  # role label


def test_export_is_an_attachment_that_is_not_cached(world, hq):
    response = hq.get("/org/units/export.xlsx")
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response["Cache-Control"] == "no-store"


def test_a_unit_name_that_looks_like_a_formula_is_exported_as_text(world, hq):
    import io

    from openpyxl import load_workbook

    services.unit_create(code="X-EQ", name="=1+1", kind=UnitKind.SHOP, parent=world.community)
    sheet = load_workbook(io.BytesIO(hq.get("/org/units/export.xlsx").content)).active
    names = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names["X-EQ"] == "=1+1"
    cell = next(c for c in sheet["B"] if c.value == "=1+1")
    assert cell.data_type == "s"


def test_unit_text_is_escaped(world, hq):
    services.unit_create(
        code="X-XSS", name="<script>alert(1)</script>", kind=UnitKind.SHOP, parent=world.community
    )
    body = text(hq.get(f"/org/units/{world.community.code}/"))
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_missing_pages_get_the_chinese_404_page(world, hq):
    response = hq.get("/org/units/NO-SUCH-UNIT/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


# --- admin site ------------------------------------------------------------------------------


def test_admin_site_is_reachable_for_hq_staff(world, hq):
    body = text(hq.get("/manage/"))
    assert "基础数据" in body
    assert text(hq.get("/manage/org/unit/")).count("和平社区") >= 1
    text(hq.get(f"/manage/org/unit/{world.street.pk}/change/"))


def test_saving_a_unit_in_the_admin_goes_through_the_services(world, hq):
    start = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = hq.post(
        f"/manage/org/unit/{world.street.pk}/change/",
        {
            "name": "东风街道",
            "short_name": "",
            "kind": UnitKind.STREET,
            "parent": str(world.district.pk),
            "sort_order": "0",
            "address": "",
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Unit.objects.get(pk=world.community.pk).full_name == "测试市/城东区/东风街道/和平社区"
    entry = Entry.objects.get(seq__gt=start, event="unit.rename")
    assert entry.actor_id == world.hq.pk and entry.changes == {"name": ["东街街道", "东风街道"]}


def test_moving_a_unit_in_the_admin_rewrites_its_subtree(world, hq):
    response = hq.post(
        f"/manage/org/unit/{world.community.pk}/change/",
        {
            "name": "和平社区",
            "short_name": "",
            "kind": UnitKind.COMMUNITY,
            "parent": str(world.other_district.pk),
            "sort_order": "0",
            "address": "",
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=world.shop.pk).full_name == "测试市/城西区/和平社区/和平副食店"
    assert Entry.objects.filter(event="unit.move", actor_id=world.hq.pk).exists()


def test_adding_a_unit_in_the_admin_goes_through_the_services(world, hq):
    response = hq.post(
        "/manage/org/unit/add/",
        {
            "code": "Q01-J01-S03",
            "name": "新风社区",
            "short_name": "",
            "kind": UnitKind.COMMUNITY,
            "parent": str(world.street.pk),
            "sort_order": "0",
            "address": "",
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="Q01-J01-S03")
    assert unit.full_name == "测试市/城东区/东街街道/新风社区" and unit.path.startswith(world.street.path)
    assert Entry.objects.filter(event="unit.create", object_id=str(unit.pk), actor_id=world.hq.pk).exists()


def test_deleting_a_unit_in_the_admin_abolishes_it(world, hq):
    response = hq.post(f"/manage/org/unit/{world.shop.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    shop = Unit.objects.get(pk=world.shop.pk)
    assert shop.abolished_at is not None
    assert Entry.objects.filter(event="unit.abolish", object_id=str(shop.pk)).exists()


def test_admin_password_change_goes_to_the_platform_page(world, hq):
    response = hq.get("/manage/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"


@pytest.mark.parametrize("persona", ["outsider", "c1_head", "auditor"])
def test_people_without_admin_roles_are_kept_out_of_the_admin_site(world, login, persona):
    client = login(getattr(world, persona))
    response = client.get("/manage/", follow=True)
    assert response.status_code == 403
    assert "创文平台 · 基础数据维护" not in response.content.decode()  # the admin's header
    assert client.get("/manage/org/unit/", follow=True).status_code == 403


def test_the_security_admin_sees_accounts_read_only_and_hq_staff_do_not(world, login):
    secadmin = login(world.secadmin)
    assert text(secadmin.get("/manage/accounts/user/")).count("c1_head") >= 1
    assert secadmin.get("/manage/accounts/user/add/").status_code == 403
    assert login(world.hq).get("/manage/accounts/user/").status_code == 403


# --- security headers ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/org/units/", "/accounts/password/"])
def test_pages_carry_a_nonce_based_content_security_policy(world, hq, url):
    response = hq.get(url)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert re.search(r"'nonce-[\w+/=-]{16,}'", directives["script-src"])
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_the_login_page_carries_the_security_headers(db, client):
    response = client.get("/accounts/login/")
    assert "'nonce-" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_each_response_gets_its_own_nonce(world, hq):
    first = hq.get("/")["Content-Security-Policy"]
    second = hq.get("/")["Content-Security-Policy"]
    assert first != second


@pytest.mark.parametrize("url", ["/", "/org/units/export.xlsx", "/healthz", "/org/units/NO-SUCH/"])
def test_responses_are_nosniff(world, hq, url):
    assert hq.get(url)["X-Content-Type-Options"] == "nosniff"
