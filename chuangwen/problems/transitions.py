"""The one transition table of the rectification loop.  `services.common.transition` is the
only code that changes `Problem.status`."""

from dataclasses import dataclass

from .models import ProblemStatus as S


class Party:
    DISPATCH = "dispatch"  # HQ's dispatch desk (指挥部办公室)
    UNIT = "unit"  # the responsible unit's head or liaison
    CHECKER = "checker"  # an inspector or HQ staff, never the person who fixed it


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str
    party: str
    needs_note: bool = False
    public: bool = False  # shown on the citizen's tracking page


def _t(action, label, sources, target, party, *, needs_note=False, public=False):
    return Transition(action, label, frozenset(sources), target, party, needs_note, public)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("assign", "交办", {S.REPORTED, S.RETURNED}, S.ASSIGNED, Party.DISPATCH, public=True),
        _t("accept", "签收整改", {S.ASSIGNED}, S.RECTIFYING, Party.UNIT, public=True),
        _t("return", "退回", {S.ASSIGNED}, S.RETURNED, Party.UNIT, needs_note=True),
        _t("submit", "整改完成", {S.RECTIFYING, S.REWORK}, S.AWAITING_RECHECK, Party.UNIT, public=True),
        _t("recheck_pass", "复查通过,销号", {S.AWAITING_RECHECK}, S.CLOSED, Party.CHECKER, public=True),
        _t("recheck_fail", "复查未通过,返工", {S.AWAITING_RECHECK}, S.REWORK, Party.CHECKER, needs_note=True,
           public=True),
        _t("request_park", "申请挂账", {S.RECTIFYING, S.REWORK}, S.PARK_REQUESTED, Party.UNIT, needs_note=True),
        _t("approve_park", "同意挂账", {S.PARK_REQUESTED}, S.PARKED, Party.DISPATCH, public=True),
        _t("reject_park", "不同意挂账", {S.PARK_REQUESTED}, S.RECTIFYING, Party.DISPATCH, needs_note=True),
        _t("unpark", "恢复整改", {S.PARKED}, S.RECTIFYING, Party.DISPATCH, public=True),
        _t("void", "作废", {S.REPORTED, S.RETURNED, S.ASSIGNED}, S.VOIDED, Party.DISPATCH, needs_note=True,
           public=True),
    )
}


def allowed_actions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
