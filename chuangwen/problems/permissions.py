"""Who may act on a problem: the role × verb table plus the problem's parties.  HQ dispatches,
the responsible unit's head or liaison rectifies, and a checker who did not fix it rechecks."""

from django.core.exceptions import PermissionDenied

from chuangwen.accounts.permissions import deny, has_verb
from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome
from chuangwen.org.selectors import duty_units

from .transitions import TRANSITIONS, Party

VERB_OF_PARTY = {Party.DISPATCH: "problem.dispatch", Party.UNIT: "problem.rectify", Party.CHECKER: "problem.recheck"}
MESSAGES = {
    Party.DISPATCH: "只有指挥部办公室才能{action}。",
    Party.UNIT: "只有责任单位的负责人或联络员才能{action}。",
    Party.CHECKER: "只有督查人员才能{action}。",
}


def acts_for(user, unit) -> bool:
    return unit is not None and unit.pk in duty_units(user)


def is_party(user, problem, party: str) -> bool:
    if party == Party.UNIT:
        return acts_for(user, problem.responsible_unit)
    return True  # dispatchers and checkers act city-wide; their verb says who they are


def can_act(user, problem, action: str) -> bool:
    t = TRANSITIONS.get(action)
    if t is None or problem.status not in t.sources:
        return False
    return has_verb(user, VERB_OF_PARTY[t.party]) and is_party(user, problem, t.party)


def require_party(user, problem, party: str, label: str) -> None:
    verb = VERB_OF_PARTY[party]
    if not has_verb(user, verb):
        deny(user, verb, problem)
    if not is_party(user, problem, party):
        record("permission.denied", actor=user, outcome=Outcome.DENIED, obj=problem,
               changes={"verb": [None, verb], "party": [None, party]})
        raise PermissionDenied(MESSAGES[party].format(action=label))
