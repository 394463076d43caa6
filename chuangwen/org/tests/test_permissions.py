"""The role × verb table: 三员分立 among the administrators, and the denial is audited."""

import pytest
from django.core.exceptions import PermissionDenied

from chuangwen.accounts.roles import ADMIN_ROLES, Role
from chuangwen.accounts.services import user_set_active
from chuangwen.audit.models import Entry, Outcome
from chuangwen.org.permissions import VERB_LABELS, VERBS, can, require

pytestmark = pytest.mark.django_db

# Each administrator's own verbs; every other verb in the table is someone else's job.
ADMIN_VERBS = {
    Role.SYSADMIN: {"user.manage", "backup.run"},
    Role.SECADMIN: {"role.grant", "post.manage", "mfa.manage", "apikey.manage", "org.view"},
    Role.AUDITOR: {"audit.read"},
}
ADMIN_PERSONA = {Role.SYSADMIN: "sysadmin", Role.SECADMIN: "secadmin", Role.AUDITOR: "auditor"}


def test_every_verb_has_a_chinese_label():
    assert set(VERBS) == set(VERB_LABELS)


def test_no_verb_belongs_to_two_administrator_roles():
    for verb, roles in VERBS.items():
        assert len(set(roles) & set(ADMIN_ROLES)) <= 1, verb


def test_administrator_verbs_belong_to_no_business_role():
    for verb in ("user.manage", "backup.run", "role.grant", "post.manage", "mfa.manage", "apikey.manage",
                 "audit.read"):
        assert set(VERBS[verb]) <= set(ADMIN_ROLES), verb


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_each_administrator_may_do_exactly_its_own_verbs(world, role):
    user = getattr(world, ADMIN_PERSONA[role])
    allowed = {verb for verb in VERBS if can(user, verb)}
    assert allowed == ADMIN_VERBS[role]


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_each_administrator_is_refused_the_other_administrators_verbs(world, role):
    user = getattr(world, ADMIN_PERSONA[role])
    others = set().union(*(ADMIN_VERBS[r] for r in ADMIN_ROLES if r != role)) - ADMIN_VERBS[role]
    assert others
    for verb in others:
        with pytest.raises(PermissionDenied, match=VERB_LABELS[verb]):
            require(user, verb)


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
def test_administrators_may_not_change_business_data(world, persona):
    user = getattr(world, persona)
    for verb in ("unit.manage", "linkage.manage", "group.manage", "org.export"):
        assert not can(user, verb), verb


def test_hq_staff_manage_the_organisation_but_no_accounts_or_audit(world):
    assert all(
        can(world.hq, v) for v in ("org.view", "org.export", "unit.manage", "linkage.manage", "group.manage")
    )
    assert not any(can(world.hq, v) for v in ("user.manage", "role.grant", "post.manage", "audit.read"))


def test_unit_scoped_check_needs_the_unit_in_scope(world):
    assert can(world.c1_head, "org.view", world.shop)
    assert not can(world.c1_head, "org.view", world.other_community)
    assert can(world.e1_head, "org.view", world.other_community)


def test_a_disabled_account_may_do_nothing(world):
    user_set_active(user=world.hq, active=False, actor=world.sysadmin, reason="离职")
    assert not any(can(world.hq, verb) for verb in VERBS)


def test_anonymous_may_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not any(can(AnonymousUser(), verb) for verb in VERBS)


def test_an_unknown_verb_is_a_programming_error(world):
    with pytest.raises(KeyError):
        can(world.hq, "unit.teleport")


def test_require_writes_a_permission_denied_audit_entry(world):
    before = Entry.objects.count()
    with pytest.raises(PermissionDenied):
        require(world.auditor, "user.manage", world.community)
    entry = Entry.objects.order_by("-seq").first()
    assert Entry.objects.count() == before + 1
    assert entry.event == "permission.denied"
    assert entry.outcome == Outcome.DENIED
    assert entry.actor_id == world.auditor.pk and entry.actor_role == "auditor"
    assert entry.changes == {"verb": [None, "user.manage"]}
    assert (entry.object_type, entry.object_id) == ("org.unit", str(world.community.pk))


def test_require_lets_an_allowed_verb_pass_without_an_entry(world):
    before = Entry.objects.count()
    require(world.sysadmin, "user.manage")
    assert Entry.objects.count() == before


def test_a_denied_page_is_audited_too(world, login):
    before = Entry.objects.filter(event="permission.denied").count()
    assert login(world.outsider).get("/org/units/").status_code == 403
    assert Entry.objects.filter(event="permission.denied", actor_id=world.outsider.pk).count() == before + 1
