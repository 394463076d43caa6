"""A failed audit write blocks the business change it records (checklist C5)."""

import pytest
from django.core.exceptions import ValidationError

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.accounts.services import user_create, user_set_roles
from chuangwen.audit import log
from chuangwen.audit.chain import verify
from chuangwen.audit.models import Entry, Head
from chuangwen.org import services
from chuangwen.org.models import Post, Unit, UnitEvent

pytestmark = pytest.mark.django_db


class AuditDown(Exception):
    pass


def _raise(*args, **kwargs):
    raise AuditDown("audit store unavailable")


@pytest.fixture(params=["compute_mac", "Entry.save"])
def broken_audit(request, monkeypatch):
    if request.param == "compute_mac":
        monkeypatch.setattr(log, "compute_mac", _raise)
    else:
        monkeypatch.setattr(Entry, "save", _raise)
    return request.param


def snapshot():
    return (
        list(Unit.objects.order_by("pk").values_list("name", "full_name", "path", "version")),
        UnitEvent.objects.count(),
        Entry.objects.count(),
        tuple(Head.objects.values_list("seq", "mac").get(pk=1)),
    )


def test_unit_rename_is_rolled_back_when_the_audit_write_fails(world, broken_audit):
    before = snapshot()
    with pytest.raises(AuditDown):
        services.unit_rename(unit=world.street, name="东风街道", actor=world.hq)
    assert Unit.objects.get(pk=world.street.pk).name == "东街街道"
    assert Unit.objects.get(pk=world.community.pk).full_name == "测试市/城东区/东街街道/和平社区"
    assert snapshot() == before


def test_unit_move_is_rolled_back_when_the_audit_write_fails(world, broken_audit):
    before = snapshot()
    with pytest.raises(AuditDown):
        services.unit_move(unit=world.community, new_parent=world.other_district, actor=world.hq)
    assert snapshot() == before


def test_head_appointment_is_rolled_back_when_the_audit_write_fails(world, broken_audit):
    posts = list(Post.objects.values_list("pk", "valid_to"))
    with pytest.raises(AuditDown):
        services.post_appoint(person=world.inspector, unit=world.community, title="书记", is_head=True)
    assert list(Post.objects.values_list("pk", "valid_to")) == posts


def test_user_creation_is_rolled_back_when_the_audit_write_fails(world, broken_audit):
    with pytest.raises(AuditDown):
        user_create(username="zhaoliu", full_name="赵六", password=None, roles=[Role.CITIZEN])
    assert not User.objects.filter(username="zhaoliu").exists()


def test_a_role_grant_is_rolled_back_when_the_audit_write_fails(world, broken_audit):
    with pytest.raises(AuditDown):
        user_set_roles(user=world.inspector, roles=[Role.INSPECTOR, Role.HQ_STAFF], actor=world.secadmin)
    assert User.objects.get(pk=world.inspector.pk).roles == [Role.INSPECTOR]


def test_the_chain_is_intact_after_a_failed_write(world, broken_audit, monkeypatch):
    with pytest.raises(AuditDown):
        services.unit_rename(unit=world.street, name="东风街道")
    monkeypatch.undo()
    services.unit_rename(unit=world.street, name="东风街道")
    assert verify().ok


def test_a_refused_change_writes_nothing(world):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.unit_move(unit=world.street, new_parent=world.shop)
    assert snapshot() == before


def test_auditing_cannot_be_switched_off_by_a_setting():
    from django.conf import settings

    # There is no toggle: the only setting that mentions auditing names the key file.
    names = [name for name in dir(settings) if "AUDIT" in name]
    assert names == ["AUDIT_KEY_FILE"]
