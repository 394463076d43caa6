"""Posts (一把手 now and before) and the rules of 三级挂钩."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_create
from chuangwen.audit.models import Entry
from chuangwen.org import services
from chuangwen.org.models import Linkage, LinkageLevel, Post, UnitKind
from chuangwen.org.selectors import current_head, linked_leaders

pytestmark = pytest.mark.django_db


def new_person(username, name, *roles):
    return user_create(username=username, full_name=name, password=None, roles=roles or [Role.UNIT_HEAD])


class TestHeadAppointment:
    def test_a_new_head_ends_the_previous_heads_post_the_day_before(self, world, time_machine):
        time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)
        today = timezone.localdate()
        successor = new_person("c1_new", "子书记")

        services.post_appoint(
            person=successor, unit=world.community, title="党委书记", is_head=True, actor=world.hq
        )

        old = Post.objects.get(person=world.c1_head, unit=world.community)
        assert old.valid_to == today - timedelta(days=1)
        assert current_head(world.community).person == successor
        assert current_head(world.community, on=today - timedelta(days=1)).person == world.c1_head
        assert Entry.objects.filter(event="post.end", object_id=str(old.pk)).exists()

    def test_the_unit_page_shows_the_head_now_and_before(self, world, login, time_machine):
        time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)
        successor = new_person("c1_new", "子书记")
        services.post_appoint(person=successor, unit=world.community, title="党委书记", is_head=True)

        body = login(world.hq).get(f"/org/units/{world.community.code}/").content.decode()
        head_cell = body.split('data-testid="head"', 1)[1].split("</dd>", 1)[0]
        assert "子书记" in head_cell and "戊书记" not in head_cell
        past = body.split("历任", 1)[1]
        assert "戊书记" in past and "(一把手)" in past

    def test_the_old_head_loses_the_unit_from_scope(self, world, time_machine):
        from chuangwen.accounts.models import User
        from chuangwen.org.selectors import units_visible_to

        time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)
        services.post_appoint(
            person=new_person("c1_new", "子书记"), unit=world.community, title="书记", is_head=True
        )
        old_head = User.objects.get(pk=world.c1_head.pk)
        assert not units_visible_to(old_head).exists()

    def test_reappointing_the_sitting_head_is_refused(self, world):
        with pytest.raises(ValidationError, match="已是该单位在任一把手"):
            services.post_appoint(person=world.c1_head, unit=world.community, title="书记", is_head=True)

    def test_the_database_allows_one_open_head_per_unit(self, world):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Post.objects.create(person=world.c2_head, unit=world.community, title="书记", is_head=True)

    def test_a_liaison_post_does_not_end_the_head(self, world):
        services.post_appoint(person=world.inspector, unit=world.community, title="网格员", is_liaison=True)
        assert current_head(world.community).person == world.c1_head

    def test_ending_a_post_twice_is_refused(self, world):
        post = Post.objects.get(person=world.c1_liaison)
        services.post_end(post=post)
        with pytest.raises(ValidationError, match="该职务已经结束"):
            services.post_end(post=post)

    def test_a_post_cannot_end_before_it_began(self, world):
        post = Post.objects.get(person=world.c1_liaison)
        with pytest.raises(ValidationError, match="任职止日期不能早于任职起日期"):
            services.post_end(post=post, on=post.valid_from - timedelta(days=1))


class TestLinkageRules:
    def test_level1_by_someone_outside_the_leadership_bodies_is_refused(self, world):
        with pytest.raises(ValidationError, match="不是四套班子成员,不能作一级挂钩领导"):
            services.linkage_create(
                level=LinkageLevel.LEADER_DEPT, person=world.dept_head, unit=world.district
            )

    def test_level1_to_a_community_is_refused(self, world):
        with pytest.raises(ValidationError, match="一级挂钩的对象须是"):
            services.linkage_create(level=LinkageLevel.LEADER_DEPT, person=world.mayor, unit=world.community)

    def test_level1_from_a_unit_is_refused(self, world):
        with pytest.raises(ValidationError, match="一级挂钩须由市领导"):
            services.linkage_create(
                level=LinkageLevel.LEADER_DEPT, from_unit=world.leadership, unit=world.dept
            )

    def test_level2_to_a_unit_outside_the_leaders_department_is_refused(self, world):
        with pytest.raises(ValidationError, match="须是该领导所在部门的所辖单位"):
            services.linkage_create(
                level=LinkageLevel.DEPT_UNIT, person=world.dept_head, unit=world.community
            )

    def test_level2_to_the_department_itself_is_refused(self, world):
        with pytest.raises(ValidationError, match="须是该领导所在部门的所辖单位"):
            services.linkage_create(level=LinkageLevel.DEPT_UNIT, person=world.dept_head, unit=world.dept)

    def test_level2_by_someone_outside_a_department_is_refused(self, world):
        with pytest.raises(ValidationError, match="不是市级部门领导"):
            services.linkage_create(level=LinkageLevel.DEPT_UNIT, person=world.c1_head, unit=world.shop)

    def test_level3_to_a_community_outside_the_district_is_refused(self, world):
        with pytest.raises(ValidationError, match="只能挂钩本辖区内的社区"):
            services.linkage_create(
                level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=world.district, unit=world.other_community
            )

    def test_level3_to_something_other_than_a_community_is_refused(self, world):
        with pytest.raises(ValidationError, match="三级挂钩的对象须是社区/村"):
            services.linkage_create(
                level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=world.district, unit=world.shop
            )

    def test_level3_from_a_department_is_refused(self, world):
        with pytest.raises(ValidationError, match="发起方须是县"):
            services.linkage_create(
                level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=world.dept, unit=world.community2
            )

    def test_level3_from_a_person_is_refused(self, world):
        with pytest.raises(ValidationError, match="三级挂钩须由城区"):
            services.linkage_create(
                level=LinkageLevel.DISTRICT_COMMUNITY, person=world.district_head, unit=world.community2
            )

    def test_a_duplicate_open_link_is_refused(self, world):
        with pytest.raises(ValidationError, match="该挂钩关系已存在"):
            services.linkage_create(level=LinkageLevel.LEADER_DEPT, person=world.mayor, unit=world.dept)

    def test_a_link_to_an_abolished_unit_is_refused(self, world):
        street_dept = services.unit_create(
            code="D01-02", name="市政养护所", kind=UnitKind.SUBORDINATE, parent=world.dept
        )
        street_dept = services.unit_abolish(unit=street_dept)
        with pytest.raises(ValidationError, match="被挂钩单位已撤销"):
            services.linkage_create(level=LinkageLevel.DEPT_UNIT, person=world.dept_head, unit=street_dept)

    def test_valid_links_of_each_level_are_recorded_and_audited(self, world):
        deputy = services.unit_create(
            code="D01-02", name="市政养护所", kind=UnitKind.SUBORDINATE, parent=world.dept
        )
        links = [
            services.linkage_create(level=LinkageLevel.LEADER_DEPT, person=world.mayor, unit=world.district),
            services.linkage_create(level=LinkageLevel.DEPT_UNIT, person=world.dept_head, unit=deputy),
            services.linkage_create(
                level=LinkageLevel.DISTRICT_COMMUNITY, from_unit=world.street, unit=world.community2
            ),
        ]
        for link in links:
            assert Entry.objects.filter(event="linkage.create", object_id=str(link.pk)).exists()

    def test_the_database_refuses_a_level3_link_from_a_person(self, world):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Linkage.objects.create(level=3, person=world.district_head, unit=world.community2)


def test_linked_leaders_are_found_nearest_first(world):
    # 市住建局 is linked to the mayor (level 1), its 市政设施管理处 to the director (level 2).
    assert linked_leaders(world.dept_sub) == [world.dept_head, world.mayor]
    assert linked_leaders(world.community) == []
