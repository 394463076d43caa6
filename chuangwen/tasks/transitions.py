"""The one transition table of a task's lifecycle.  `services.lifecycle._transition` is the only
code that changes `Task.status`; an action missing here for the current status is refused with
a Chinese message and changes nothing."""

from dataclasses import dataclass

from .models import TaskStatus as S


class Party:
    """Who may take an action, relative to the task (resolved in `permissions.py`)."""

    ISSUER = "issuer"  # acts for the issuing unit (its posts; HQ staff for HQ's tasks)
    ISSUER_HEAD = "issuer_head"  # the issuing unit's current head (一级负责: head to head)
    LEAD = "lead"  # the lead unit's head or liaison
    LEAD_HEAD = "lead_head"  # the lead unit's current head


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str
    party: str
    needs_note: bool = False


def _t(action, label, sources, target, party, needs_note=False):
    return Transition(action, label, frozenset(sources), target, party, needs_note)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("issue", "下达", {S.DRAFT}, S.ISSUED, Party.ISSUER),
        _t("sign_for", "签收", {S.ISSUED}, S.SIGNED, Party.LEAD),
        _t("start", "开始办理", {S.SIGNED}, S.IN_PROGRESS, Party.LEAD),
        _t("hand_in", "交账", {S.IN_PROGRESS}, S.HANDED_IN, Party.LEAD_HEAD),
        _t("accept", "验收", {S.HANDED_IN}, S.ACCEPTED, Party.ISSUER_HEAD),
        _t("return", "退回", {S.HANDED_IN}, S.IN_PROGRESS, Party.ISSUER_HEAD, needs_note=True),
        _t("cancel", "撤销", {S.DRAFT, S.ISSUED, S.SIGNED, S.IN_PROGRESS}, S.CANCELLED, Party.ISSUER,
           needs_note=True),
    )
}


def allowed_actions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
