"""Ending a post takes away what it gave: the units it showed and its unit head / liaison role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.audit.models import Entry
from chuangwen.org import services as org
from chuangwen.org.models import Post

pytestmark = pytest.mark.django_db


def unit_url(unit) -> str:
    return f"/org/units/{unit.code}/"


@pytest.fixture
def later(time_machine):
    # A post counts on its last day: end it yesterday, seen from three days on.
    time_machine.move_to(timezone.now() + timedelta(days=3), tick=False)
    return timezone.localdate() - timedelta(days=1)


def test_after_the_post_ends_the_unit_is_gone_and_the_role_stays_with_the_other_post(world, login, later):
    org.post_appoint(person=world.c1_liaison, unit=world.community2, title="网格员", is_liaison=True,
                     valid_from=later - timedelta(days=2))
    client = login(world.c1_liaison)
    assert client.get(unit_url(world.community)).status_code == 200

    org.post_end(post=Post.objects.get(person=world.c1_liaison, unit=world.community), on=later,
                 actor=world.secadmin)
    client = login(User.objects.get(pk=world.c1_liaison.pk))
    assert client.get(unit_url(world.community)).status_code == 404
    assert client.get(unit_url(world.community2)).status_code == 200
    assert User.objects.get(pk=world.c1_liaison.pk).roles == [Role.LIAISON]


def test_ending_the_only_head_post_removes_the_unit_head_role_in_the_same_step(world, login, later):
    start = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    org.post_end(post=Post.objects.get(person=world.c1_head, unit=world.community), on=later,
                 actor=world.secadmin)
    user = User.objects.get(pk=world.c1_head.pk)
    assert user.roles == []
    events = list(Entry.objects.filter(seq__gt=start).order_by("seq").values_list("event", "changes"))
    assert [e for e, _ in events] == ["post.end", "user.roles"]
    assert events[1][1]["roles"] == [["unit_head"], []]
    assert events[1][1]["reason"][1].startswith("职务结束")
    assert login(user).get(unit_url(world.community)).status_code in (403, 404)


def test_a_new_head_replacing_the_old_one_takes_the_old_ones_role_away(world):
    org.post_appoint(person=world.c2_head, unit=world.community, title="党委书记", is_head=True)
    # The old head (c1_head) held no other head post; the new one keeps theirs.
    assert User.objects.get(pk=world.c1_head.pk).roles == []
    assert User.objects.get(pk=world.c2_head.pk).roles == [Role.UNIT_HEAD]


def test_other_roles_are_untouched(world, later):
    from chuangwen.accounts.services import user_grant_role

    user_grant_role(user=world.c1_head, role=Role.INSPECTOR, actor=world.secadmin)
    org.post_end(post=Post.objects.get(person=world.c1_head, unit=world.community), on=later)
    assert User.objects.get(pk=world.c1_head.pk).roles == [Role.INSPECTOR]
