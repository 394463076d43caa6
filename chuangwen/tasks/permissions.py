"""Who may act on a task: the role × verb table (accounts.permissions) plus the task's parties.

一级负责: the lead unit's head hands in, the issuing unit's head accepts or returns.  Heads and
liaisons act for their unit (sign for, report, decompose).  For tasks HQ issues, HQ staff act for
the HQ office (draft, issue, prepare the review of a handover) while its head decides.
"""

from django.core.exceptions import PermissionDenied

from chuangwen.accounts.permissions import deny, has_verb
from chuangwen.accounts.roles import Role
from chuangwen.org.models import UnitKind
from chuangwen.org.selectors import duty_units

from .models import TaskStatus
from .transitions import TRANSITIONS, Party

def _posts(user) -> dict[int, bool]:
    return duty_units(user)


def is_head_of(user, unit) -> bool:
    return bool(unit is not None and _posts(user).get(unit.pk))


def acts_for(user, unit) -> bool:
    if unit is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if unit.pk in _posts(user):
        return True
    return unit.kind == UnitKind.HQ and user.has_role(Role.HQ_STAFF)


def is_party(user, task, party: str) -> bool:
    if party == Party.ISSUER:
        return acts_for(user, task.issuing_unit)
    if party == Party.ISSUER_HEAD:
        return is_head_of(user, task.issuing_unit)
    if party == Party.LEAD:
        return acts_for(user, task.lead_unit)
    if party == Party.LEAD_HEAD:
        return is_head_of(user, task.lead_unit)
    raise ValueError(party)


def _verb_for(task, party: str) -> str:
    # Drafting and issuing HQ's own tasks is HQ work; everything else is a unit's work.
    if party == Party.ISSUER and task.issuing_unit.kind == UnitKind.HQ:
        return "task.manage"
    return "task.work"


def can_act(user, task, action: str) -> bool:
    """The button test: the action is legal now and `user` is the right party for it."""
    t = TRANSITIONS.get(action)
    if t is None or task.status not in t.sources:
        return False
    return has_verb(user, _verb_for(task, t.party)) and is_party(user, task, t.party)


def require_party(user, task, party: str, verb_label: str) -> None:
    """Refuse (audited) unless `user` is the given party of the task."""
    verb = _verb_for(task, party)
    if not has_verb(user, verb):
        deny(user, verb, task)
    if not is_party(user, task, party):
        from chuangwen.audit.log import record
        from chuangwen.audit.models import Outcome

        record("permission.denied", actor=user, outcome=Outcome.DENIED, obj=task,
               changes={"verb": [None, verb], "party": [None, party]})
        raise PermissionDenied(_PARTY_MESSAGES[party].format(action=verb_label))


_PARTY_MESSAGES = {
    Party.ISSUER: "只有交办单位才能{action}。",
    Party.ISSUER_HEAD: "只有交办单位的主要负责人才能{action}。",
    Party.LEAD: "只有牵头单位的负责人或联络员才能{action}。",
    Party.LEAD_HEAD: "只有牵头单位的主要负责人才能{action}。",
}


def can_decompose(user, task) -> bool:
    return (task.status in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS) and has_verb(user, "task.work")
            and acts_for(user, task.lead_unit))


def can_report(user, task) -> bool:
    return (task.status in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS) and has_verb(user, "task.work")
            and acts_for(user, task.lead_unit))
