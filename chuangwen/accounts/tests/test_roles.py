"""三员分立: an administrator role stands alone — in the service, in the model, in the database."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import ADMIN_ROLES, BITS, Role, from_mask, is_valid_mask, to_mask
from chuangwen.accounts.services import user_create, user_grant_role, user_set_roles
from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db

BUSINESS_ROLES = [r for r in Role if r not in ADMIN_ROLES]
ADMIN_PAIRS = list(itertools.combinations(ADMIN_ROLES, 2))
ADMIN_WITH_BUSINESS = [(a, b) for a in ADMIN_ROLES for b in (Role.HQ_STAFF, Role.LEADER, Role.CITIZEN)]
BAD_COMBINATIONS = [*ADMIN_PAIRS, tuple(ADMIN_ROLES), *ADMIN_WITH_BUSINESS]
EXCLUSIVE = "三种角色互斥"


def ids(combo):
    return "+".join(combo)


def test_every_administrator_bit_sits_above_every_business_bit():
    assert min(BITS[r] for r in ADMIN_ROLES) > max(BITS[r] for r in BUSINESS_ROLES)


def test_mask_round_trips_every_role():
    for role in Role:
        assert from_mask(to_mask([role])) == [role]


def test_business_roles_combine_freely():
    assert is_valid_mask(to_mask(BUSINESS_ROLES))


@pytest.mark.parametrize("combo", BAD_COMBINATIONS, ids=ids)
def test_user_create_refuses_combined_administrator_roles(db, combo):
    with pytest.raises(ValidationError, match=EXCLUSIVE):
        user_create(username="combo", full_name="组合", roles=combo)
    assert not User.objects.filter(username="combo").exists()


@pytest.mark.parametrize("combo", BAD_COMBINATIONS, ids=ids)
def test_user_set_roles_refuses_combined_administrator_roles(world, combo):
    before = world.inspector.roles_mask
    with pytest.raises(ValidationError, match=EXCLUSIVE):
        user_set_roles(user=world.inspector, roles=combo, actor=world.secadmin)
    assert User.objects.get(pk=world.inspector.pk).roles_mask == before


@pytest.mark.parametrize(
    "persona,extra",
    [
        ("sysadmin", Role.AUDITOR),
        ("secadmin", Role.SYSADMIN),
        ("auditor", Role.SECADMIN),
        ("auditor", Role.HQ_STAFF),
        ("hq", Role.AUDITOR),
        ("c1_head", Role.SYSADMIN),
    ],
)
def test_granting_a_second_role_that_breaks_the_rule_is_refused(world, persona, extra):
    user = getattr(world, persona)
    with pytest.raises(ValidationError, match=EXCLUSIVE):
        # The system acts here: the rule under test is exclusivity (the secadmin may not touch
        # their own account at all, see test_no_action_on_own_account.py).
        user_grant_role(user=user, role=extra, actor=None if user == world.secadmin else world.secadmin)


def test_granting_a_business_role_to_a_business_user_is_audited(world):
    user_grant_role(user=world.c1_head, role=Role.INSPECTOR, actor=world.secadmin)
    assert set(User.objects.get(pk=world.c1_head.pk).roles) == {Role.UNIT_HEAD, Role.INSPECTOR}
    entry = Entry.objects.filter(event="user.roles").order_by("-seq").first()
    assert entry.changes == {"roles": [["unit_head"], ["unit_head", "inspector"]]}
    assert entry.actor_id == world.secadmin.pk


@pytest.mark.parametrize("combo", BAD_COMBINATIONS, ids=ids)
def test_full_clean_refuses_combined_administrator_roles(db, combo):
    user = User(username="combo", full_name="组合", roles_mask=to_mask(combo))
    user.set_unusable_password()
    with pytest.raises(ValidationError, match=EXCLUSIVE) as info:
        user.full_clean()
    assert "roles_mask" in info.value.message_dict or "__all__" in info.value.message_dict


@pytest.mark.parametrize("combo", BAD_COMBINATIONS, ids=ids)
def test_database_refuses_saving_combined_administrator_roles(db, combo):
    user = User(username="combo", full_name="组合", roles_mask=to_mask(combo))
    user.set_unusable_password()
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
    assert not User.objects.filter(username="combo").exists()


@pytest.mark.parametrize("combo", ADMIN_PAIRS, ids=ids)
def test_database_refuses_a_bulk_update_to_combined_administrator_roles(world, combo):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.sysadmin.pk).update(roles_mask=to_mask(combo))
    assert User.objects.get(pk=world.sysadmin.pk).roles == [Role.SYSADMIN]


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_a_single_administrator_role_is_accepted(db, role):
    user = user_create(username=f"only_{role}", full_name="管理员", roles=[role])
    assert user.roles == [role]


def test_with_role_finds_holders_by_bit(world):
    assert set(User.objects.with_role(Role.UNIT_HEAD).values_list("username", flat=True)) == {
        "dept_head",
        "district_head",
        "c1_head",
        "c2_head",
        "e1_head",
    }
    assert list(User.objects.with_role(Role.AUDITOR).values_list("username", flat=True)) == ["auditor"]
