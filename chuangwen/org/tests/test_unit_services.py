"""Unit services: the materialised path, full names and history stay right through every change."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.audit.models import Entry
from chuangwen.org import services
from chuangwen.org.models import (
    PATH_SEGMENT_WIDTH,
    Linkage,
    Post,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitKind,
    WorkGroupMember,
)
from chuangwen.org.selectors import units_visible_to
from chuangwen.org.services import StaleVersion

pytestmark = pytest.mark.django_db


def fresh(unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def assert_tree_consistent():
    """Every unit's path, depth and full name follow from its parent's."""
    for unit in Unit.objects.select_related("parent"):
        segment = f"{unit.pk:0{PATH_SEGMENT_WIDTH}d}/"
        if unit.parent is None:
            assert (unit.path, unit.depth, unit.full_name) == ("/" + segment, 0, unit.name), unit.code
        else:
            assert unit.path == unit.parent.path + segment, unit.code
            assert unit.depth == unit.parent.depth + 1, unit.code
            assert unit.full_name == f"{unit.parent.full_name}/{unit.name}", unit.code


def last_entry(event) -> Entry:
    return Entry.objects.filter(event=event).order_by("-seq").first()


def test_world_tree_is_consistent(world):
    assert_tree_consistent()


class TestMove:
    def test_rewrites_path_depth_and_full_name_of_the_whole_subtree(self, world):
        # 和平社区 (depth 3, with a shop at depth 4) moves from 东街街道 up under 城西区 (depth 1).
        services.unit_move(unit=world.community, new_parent=world.other_district, actor=world.hq)

        community, shop = fresh(world.community), fresh(world.shop)
        assert community.parent_id == world.other_district.pk
        assert community.path.startswith(world.other_district.path)
        assert shop.path.startswith(community.path)
        assert (community.depth, shop.depth) == (2, 3)
        assert community.full_name == "测试市/城西区/和平社区"
        assert shop.full_name == "测试市/城西区/和平社区/和平副食店"
        assert Unit.objects.subtree_of(fresh(world.street)).count() == 2  # the street and 友谊社区
        assert_tree_consistent()

    def test_ends_a_level3_link_the_move_takes_out_of_the_district(self, world, time_machine):
        # 城东区 links 和平社区 at level 3; once the community belongs to 城西区 the link would
        # break the rule (only communities of one's own district) and leak it to 城东区.
        time_machine.move_to(timezone.now() + timedelta(days=3), tick=False)
        services.unit_move(unit=world.community, new_parent=world.other_district, actor=world.hq)

        assert not Linkage.objects.current().filter(unit=world.community).exists()
        assert Entry.objects.filter(event="linkage.end").exists()
        district_head = User.objects.get(pk=world.district_head.pk)
        seen = set(units_visible_to(district_head).values_list("code", flat=True))
        assert world.community.code not in seen and world.shop.code not in seen

    def test_ends_a_level2_link_the_move_takes_out_of_the_department(self, world, time_machine):
        time_machine.move_to(timezone.now() + timedelta(days=3), tick=False)
        services.unit_move(unit=world.dept_sub, new_parent=world.district, actor=world.hq)
        assert not Linkage.objects.current().filter(unit=world.dept_sub, person=world.dept_head).exists()
        dept_head = User.objects.get(pk=world.dept_head.pk)
        assert world.dept_sub.code not in set(units_visible_to(dept_head).values_list("code", flat=True))

    def test_keeps_links_that_still_hold(self, world):
        services.unit_move(unit=world.community, new_parent=world.district)
        assert Linkage.objects.current().filter(unit=world.community, from_unit=world.district).exists()

    def test_keeps_history_as_unit_event_and_audit_entry(self, world):
        services.unit_move(unit=world.community, new_parent=world.other_district, actor=world.hq)

        event = UnitEvent.objects.get(unit=world.community, kind=UnitEventKind.MOVE)
        assert event.before == {"parent": "Q01-J01", "full_name": "测试市/城东区/东街街道/和平社区"}
        assert event.after == {"parent": "Q02", "full_name": "测试市/城西区/和平社区"}
        assert event.actor_name == "甲指挥"
        entry = last_entry("unit.move")
        assert entry.object_id == str(world.community.pk)
        assert entry.changes["parent"] == ["Q01-J01", "Q02"]
        assert entry.actor_id == world.hq.pk

    def test_bumps_the_version(self, world):
        before = fresh(world.community).version
        services.unit_move(unit=world.community, new_parent=world.other_district)
        assert fresh(world.community).version == before + 1

    @pytest.mark.parametrize("target", ["community", "shop"])
    def test_refuses_to_move_a_unit_under_itself_or_its_descendant(self, world, target):
        with pytest.raises(ValidationError, match="不能把单位调整到它自己或其下级单位之下"):
            services.unit_move(unit=world.community, new_parent=getattr(world, target))
        assert fresh(world.community).parent_id == world.street.pk
        assert_tree_consistent()

    def test_refuses_an_abolished_parent(self, world):
        services.unit_abolish(unit=world.shop)
        with pytest.raises(ValidationError, match="目标上级单位已撤销"):
            services.unit_move(unit=world.community2, new_parent=world.shop)

    def test_refuses_a_stale_version_with_a_chinese_message(self, world):
        loaded = fresh(world.community)
        services.unit_rename(unit=world.community, name="和平新社区")  # someone else saves first
        with pytest.raises(StaleVersion, match="该单位已被他人修改,请刷新后重试"):
            services.unit_move(unit=loaded, new_parent=world.other_district, expected_version=loaded.version)
        assert fresh(world.community).parent_id == world.street.pk


class TestRename:
    def test_rewrites_the_full_name_of_every_descendant(self, world):
        services.unit_rename(unit=world.street, name="东风街道", actor=world.hq)

        assert fresh(world.street).full_name == "测试市/城东区/东风街道"
        assert fresh(world.community).full_name == "测试市/城东区/东风街道/和平社区"
        assert fresh(world.shop).full_name == "测试市/城东区/东风街道/和平社区/和平副食店"
        assert fresh(world.other_community).full_name == "测试市/城西区/西湖社区"
        assert_tree_consistent()

    def test_keeps_the_old_name_in_history(self, world):
        services.unit_rename(unit=world.street, name="东风街道", actor=world.hq)
        event = UnitEvent.objects.get(unit=world.street, kind=UnitEventKind.RENAME)
        assert (event.before, event.after) == ({"name": "东街街道"}, {"name": "东风街道"})
        assert last_entry("unit.rename").changes == {"name": ["东街街道", "东风街道"]}

    def test_a_name_with_a_slash_keeps_the_parents_full_name(self, world):
        unit = services.unit_create(
            code="Q01-X", name="人大/政协联络处", kind=UnitKind.SUBORDINATE, parent=world.district
        )
        services.unit_create(code="Q01-X-1", name="联络一组", kind=UnitKind.SUBORDINATE, parent=unit)
        services.unit_rename(unit=unit, name="人大政协联络处")
        assert fresh(unit).full_name == "测试市/城东区/人大政协联络处"
        assert_tree_consistent()

    def test_refuses_a_stale_version_with_a_chinese_message(self, world):
        loaded = fresh(world.street)
        services.unit_rename(unit=world.street, name="东风街道")
        with pytest.raises(StaleVersion, match="该单位已被他人修改"):
            services.unit_rename(unit=loaded, name="东升街道", expected_version=loaded.version)
        assert fresh(world.street).name == "东风街道"
        assert fresh(world.community).full_name == "测试市/城东区/东风街道/和平社区"

    def test_with_the_current_version_succeeds(self, world):
        loaded = fresh(world.street)
        services.unit_rename(unit=loaded, name="东风街道", expected_version=loaded.version)
        assert fresh(world.street).version == loaded.version + 1

    def test_with_the_same_name_changes_nothing(self, world):
        version, events = fresh(world.street).version, UnitEvent.objects.count()
        services.unit_rename(unit=world.street, name=" 东街街道 ")
        assert fresh(world.street).version == version
        assert UnitEvent.objects.count() == events

    def test_refuses_fields_the_service_does_not_own(self, world):
        with pytest.raises(ValidationError):
            services.unit_update(unit=world.street, path="/x/")


class TestMerge:
    @pytest.fixture
    def merge_world(self, world):
        # 友谊社区 gets a shop and a seat in the working group before it merges into 和平社区.
        world.shop2 = services.unit_create(
            code="Q01-J01-S02-P01", name="友谊超市", kind=UnitKind.SHOP, parent=world.community2
        )
        services.workgroup_add_member(group=world.group, unit=world.community2, duties="背街小巷")
        return world

    def test_moves_children_to_the_target(self, merge_world):
        w = merge_world
        services.unit_merge(unit=w.community2, into=w.community, actor=w.hq, reason="社区合并")
        shop2 = fresh(w.shop2)
        assert shop2.parent_id == w.community.pk
        assert shop2.full_name == "测试市/城东区/东街街道/和平社区/友谊超市"
        assert_tree_consistent()

    def test_moves_group_seats_to_the_target(self, merge_world):
        w = merge_world
        services.unit_merge(unit=w.community2, into=w.community, actor=w.hq)
        seat = WorkGroupMember.objects.get(group=w.group, unit=w.community)
        assert seat.duties == "背街小巷"
        assert not WorkGroupMember.objects.filter(unit=w.community2).exists()

    def test_drops_a_seat_the_target_already_holds(self, merge_world):
        w = merge_world
        services.workgroup_add_member(group=w.group, unit=w.community)
        services.unit_merge(unit=w.community2, into=w.community)
        assert WorkGroupMember.objects.filter(group=w.group, unit=w.community).count() == 1
        assert not WorkGroupMember.objects.filter(unit=w.community2).exists()

    def test_abolishes_the_source_pointing_to_the_target_and_ends_its_posts(self, merge_world):
        w = merge_world
        services.unit_merge(unit=w.community2, into=w.community, actor=w.hq, reason="社区合并")
        source = fresh(w.community2)
        assert source.abolished_at is not None and source.merged_into_id == w.community.pk
        assert not Post.objects.filter(unit=source, valid_to__isnull=True).exists()
        assert UnitEvent.objects.filter(unit=source, kind=UnitEventKind.MERGE, note="社区合并").exists()
        assert UnitEvent.objects.filter(unit=w.community, kind=UnitEventKind.MERGE).exists()
        assert last_entry("unit.merge").changes == {"merged_into": [None, w.community.code]}

    def test_refuses_merging_into_its_own_descendant(self, merge_world):
        w = merge_world
        with pytest.raises(ValidationError, match="不能把单位并入它自己或其下级单位"):
            services.unit_merge(unit=w.community2, into=w.shop2)
        with pytest.raises(ValidationError):
            services.unit_merge(unit=w.community2, into=w.community2)

    def test_refuses_an_abolished_target(self, merge_world):
        w = merge_world
        services.unit_abolish(unit=w.shop)
        with pytest.raises(ValidationError, match="已撤销的单位不能合并"):
            services.unit_merge(unit=w.community2, into=w.shop)
        assert fresh(w.community2).is_active


class TestAbolish:
    def test_refuses_a_unit_with_active_children(self, world):
        with pytest.raises(ValidationError, match="还有未撤销的下级单位"):
            services.unit_abolish(unit=world.street)
        assert fresh(world.street).is_active

    def test_ends_posts_linkages_and_seats_of_a_leaf(self, world):
        services.workgroup_add_member(group=world.group, unit=world.community)
        services.unit_abolish(unit=world.shop)
        services.unit_abolish(unit=world.community, actor=world.hq, reason="撤销建制")

        community = fresh(world.community)
        assert community.abolished_at is not None
        assert not Post.objects.filter(unit=community, valid_to__isnull=True).exists()
        assert not community.linkages_in.filter(valid_to__isnull=True).exists()
        assert not WorkGroupMember.objects.filter(unit=community).exists()
        assert last_entry("unit.abolish").changes["reason"] == [None, "撤销建制"]

    def test_an_abolished_unit_can_have_no_new_children_or_posts(self, world):
        services.unit_abolish(unit=world.shop)
        with pytest.raises(ValidationError, match="上级单位已撤销"):
            services.unit_create(code="X1", name="新店", kind=UnitKind.SHOP, parent=fresh(world.shop))
        with pytest.raises(ValidationError, match="该单位已撤销"):
            services.post_appoint(person=world.c1_head, unit=fresh(world.shop), title="店长")

    def test_twice_is_refused(self, world):
        services.unit_abolish(unit=world.shop)
        with pytest.raises(ValidationError, match="该单位已撤销"):
            services.unit_abolish(unit=world.shop)

    def test_refuses_a_stale_version(self, world):
        loaded = fresh(world.shop)
        services.unit_update(unit=world.shop, address="东街1号")
        with pytest.raises(StaleVersion, match="已被他人修改"):
            services.unit_abolish(unit=loaded, expected_version=loaded.version)
        assert fresh(world.shop).is_active


def test_create_refuses_a_duplicate_code_in_chinese(world):
    with pytest.raises(ValidationError, match="单位编码已存在"):
        services.unit_create(code=world.shop.code, name="重复", kind=UnitKind.SHOP, parent=world.community)
