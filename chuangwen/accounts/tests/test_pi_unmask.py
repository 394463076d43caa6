"""Seeing a phone in full (checklist F2): HQ staff only, one audit entry per unmask, never the
value in the log; everyone else refused and the refusal audited."""

import json
import re

import pytest
from django.core.exceptions import FieldDoesNotExist, PermissionDenied

from chuangwen.accounts.permissions import VERB_LABELS, VERBS
from chuangwen.accounts.pi import pi_unmask
from chuangwen.accounts.roles import Role
from chuangwen.audit.models import Entry, Outcome
from chuangwen.lib.pi import phone_index
from chuangwen.lib.tests.pi_support import PHONE, pi_keys, pi_table  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("pi_table")
DIGIT_RUNS = re.compile(r"\d{5,}")


@pytest.fixture
def caller(pi_table):
    return pi_table.objects.create(
        name="张三丰", phone=PHONE, phone_index=phone_index(PHONE), note="回拨 13812345678"
    )


def _entry_text(entry: Entry) -> str:
    fields = {f.attname: getattr(entry, f.attname) for f in Entry._meta.concrete_fields}
    return json.dumps(fields, default=str, ensure_ascii=False)


def test_only_hq_staff_hold_the_verb():
    assert VERBS["pi.unmask"] == {Role.HQ_STAFF}
    assert VERB_LABELS["pi.unmask"] == "查看完整个人信息"


def test_hq_staff_see_the_phone_and_exactly_one_entry_is_written(world, caller):
    last = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    value = pi_unmask(actor=world.hq, obj=caller, field="phone", reason="回访核实,原号码 138-1234-5678")
    assert value == PHONE
    [entry] = Entry.objects.filter(seq__gt=last)
    assert entry.event == "pi.unmask" and entry.outcome == Outcome.SUCCESS
    assert entry.actor_id == world.hq.pk
    assert (entry.object_type, entry.object_id) == ("lib.caller", str(caller.pk))
    assert entry.changes["field"] == [None, "phone"]
    assert entry.changes["reason"] == [None, "回访核实,原号码 138****5678"]
    assert entry.object_repr == "来电 回拨 138****5678"
    # No phone digits anywhere in the entry: not the value, not in the reason or the object's text.
    text = _entry_text(entry)
    assert PHONE not in text and "12345678" not in text and not re.search(r"1[3-9]\d{9}", text)
    for name in ("object_repr", "changes", "actor_name", "actor_role", "actor_unit"):
        assert not DIGIT_RUNS.search(json.dumps(getattr(entry, name), ensure_ascii=False)), name


def test_each_unmask_is_its_own_entry(world, caller):
    before = Entry.objects.filter(event="pi.unmask").count()
    assert pi_unmask(actor=world.hq, obj=caller, field="name") == "张三丰"
    assert pi_unmask(actor=world.hq, obj=caller, field="phone") == PHONE
    assert Entry.objects.filter(event="pi.unmask").count() == before + 2


def test_the_stored_value_is_shown_not_an_unsaved_edit(world, caller):
    caller.phone = "13900009999"
    assert pi_unmask(actor=world.hq, obj=caller, field="phone") == PHONE


@pytest.mark.parametrize(
    "persona",
    [
        "c1_head", "dept_head", "c1_liaison", "mayor", "inspector", "outsider",
        "sysadmin", "secadmin", "auditor",
    ],
)
def test_everyone_else_is_refused_and_the_refusal_is_audited(world, caller, persona):
    actor = getattr(world, persona)
    unmasks = Entry.objects.filter(event="pi.unmask").count()
    denials = Entry.objects.filter(event="permission.denied").count()
    with pytest.raises(PermissionDenied, match="查看完整个人信息"):
        pi_unmask(actor=actor, obj=caller, field="phone")
    assert Entry.objects.filter(event="pi.unmask").count() == unmasks
    assert Entry.objects.filter(event="permission.denied").count() == denials + 1
    denial = Entry.objects.filter(event="permission.denied").latest("seq")
    assert denial.actor_id == actor.pk and denial.outcome == Outcome.DENIED
    assert denial.changes == {"verb": [None, "pi.unmask"]}
    assert (denial.object_type, denial.object_id) == ("lib.caller", str(caller.pk))
    assert PHONE not in _entry_text(denial)


def test_a_disabled_hq_account_is_refused(world, caller):
    world.hq.is_active = False
    with pytest.raises(PermissionDenied):
        pi_unmask(actor=world.hq, obj=caller, field="phone")


def test_only_encrypted_fields_can_be_unmasked(world, caller):
    with pytest.raises(ValueError, match="not personal information"):
        pi_unmask(actor=world.hq, obj=caller, field="note")
    with pytest.raises(FieldDoesNotExist):
        pi_unmask(actor=world.hq, obj=caller, field="password")
