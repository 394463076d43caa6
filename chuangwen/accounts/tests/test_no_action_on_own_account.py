"""An administrator never acts on their own account (三员分立 would otherwise be one person's
choice: a security administrator could make themselves auditor)."""

import pytest
from django.core.exceptions import PermissionDenied

from chuangwen.accounts import mfa, services
from chuangwen.accounts.roles import Role
from chuangwen.audit.models import Entry


@pytest.mark.parametrize(
    "persona, call",
    [
        ("secadmin", lambda u: services.user_set_roles(user=u, roles=[Role.AUDITOR], actor=u)),
        ("secadmin", lambda u: services.user_set_mfa_required(user=u, required=False, actor=u)),
        ("secadmin", lambda u: mfa.mfa_reset(user=u, actor=u)),
        ("sysadmin", lambda u: services.user_set_active(user=u, active=False, actor=u, reason="测试")),
        ("sysadmin", lambda u: services.user_reset_password(user=u, new_password="Rv8-maple-Cloud-41", actor=u)),
    ],
)
def test_refuses_an_administrator_acting_on_their_own_account(world, persona, call):
    user = getattr(world, persona)
    before = (user.roles_mask, user.is_active, user.password, user.mfa_required)
    denials = Entry.objects.filter(event="permission.denied").count()
    with pytest.raises(PermissionDenied, match="不能对自己的账号"):
        call(user)
    user.refresh_from_db()
    assert (user.roles_mask, user.is_active, user.password, user.mfa_required) == before
    assert Entry.objects.filter(event="permission.denied").count() == denials + 1


def test_secadmin_still_grants_roles_to_others(world):
    services.user_set_roles(user=world.inspector, roles=[Role.INSPECTOR, Role.LIAISON], actor=world.secadmin)
    world.inspector.refresh_from_db()
    assert set(world.inspector.roles) == {Role.INSPECTOR, Role.LIAISON}


def test_the_console_answers_403_when_a_secadmin_edits_their_own_roles(world, login):
    client = login(world.secadmin)
    response = client.post("/console/people/secadmin/roles/", {"roles": [Role.AUDITOR]})
    assert response.status_code == 403
    assert "不能对自己的账号" in response.content.decode()
    world.secadmin.refresh_from_db()
    assert world.secadmin.roles == [Role.SECADMIN]
