"""What every rule run shares: the draft a rule makes, the ladder, and `propose()`, which turns
a draft into a proposal exactly once (the dedupe key), escalated on the ladder and audited."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.org.permissions import require
from chuangwen.org.selectors import current_head
from chuangwen.org.services import StaleVersion

from .. import ladder as ladder_rules
from ..catalogue import LADDER_RUNGS, LADDER_WINDOW_MONTHS
from ..models import PERSONAL_KINDS, Ladder, Proposal, ProposalStatus

__all__ = ["Draft", "RunResult", "StaleVersion", "current_ladder", "propose", "require_confirmer"]

@dataclass
class Draft:
    """What a rule found: the facts, before the ladder and the dedupe check."""

    rule: object
    kind: str
    unit: object
    occurred_on: date
    facts: str
    key: str
    evidence: list = field(default_factory=list)
    period: object = None
    task: object = None


@dataclass
class RunResult:
    proposals: list = field(default_factory=list)
    by_rule: dict = field(default_factory=dict)
    run: object = None

    def add(self, proposal) -> None:
        self.proposals.append(proposal)
        code = proposal.rule.code
        self.by_rule[code] = self.by_rule.get(code, 0) + 1


def require_confirmer(actor) -> None:
    """Only a person with `reward.confirm` runs the rules by hand; the job runs them as None."""
    if actor is not None:
        require(actor, "reward.confirm")


def current_ladder() -> Ladder:
    ladder = Ladder.objects.filter(pk=1).first()
    return ladder or Ladder(pk=1, rungs=list(LADDER_RUNGS), window_months=LADDER_WINDOW_MONTHS)


def _prior_penalties(unit, occurred_on: date, ladder: Ladder) -> list[Proposal]:
    if unit is None or not ladder.is_active:
        return []
    since = ladder_rules.months_before(occurred_on, ladder.window_months)
    return list(Proposal.objects.filter(
        unit=unit, kind__in=ladder.rungs, status__in=(ProposalStatus.PROPOSED, ProposalStatus.CONFIRMED),
        occurred_on__gt=since, occurred_on__lte=occurred_on,
    ).order_by("occurred_on", "id"))


def propose(draft: Draft, *, actor, ladder: Ladder) -> Proposal | None:
    """The proposal for `draft`, or None when its key was proposed before (by this run, an
    earlier one, or a run overlapping this one)."""
    if Proposal.objects.filter(dedupe_key=draft.key).exists():
        return None
    with transaction.atomic():
        prior = _prior_penalties(draft.unit, draft.occurred_on, ladder)
        rungs = ladder.rungs if ladder.is_active else []
        step = ladder_rules.escalate(draft.kind, [p.kind for p in prior], rungs, ladder.window_months)
        evidence = list(draft.evidence)
        if step.note:
            evidence.append({"type": "ladder", "prior": [
                {"id": p.pk, "kind": p.kind, "occurred_on": p.occurred_on.isoformat()} for p in prior]})
        person, person_name = None, ""
        if step.kind in PERSONAL_KINDS and draft.unit is not None:
            head = current_head(draft.unit)
            if head is not None:
                person, person_name = head.person, head.person.full_name
        # The reason is the facts (and the ladder's step), worded to be published as it is once
        # confirmed; what is proposed is the kind (the pages say "建议…" beside it).
        reason = f"{draft.facts}{step.note}"
        proposal = Proposal(
            rule=draft.rule, kind=step.kind, base_kind=draft.kind, unit=draft.unit,
            unit_name=draft.unit.full_name if draft.unit is not None else "", person=person,
            person_name=person_name, period=draft.period, task=draft.task, occurred_on=draft.occurred_on,
            reason=reason, evidence=evidence, dedupe_key=draft.key[:200],
            proposed_by=actor if getattr(actor, "pk", None) else None, proposed_at=timezone.now(),
        )
        try:
            # A savepoint: a concurrent run that took the key first leaves this run going.
            with transaction.atomic():
                proposal.save(force_insert=True)
        except IntegrityError:
            return None
        changes = {"rule": [None, draft.rule.code], "kind": [None, proposal.kind],
                   "unit": [None, proposal.unit_name], "key": [None, proposal.dedupe_key]}
        if step.kind != draft.kind:
            changes["escalated_from"] = [None, draft.kind]
        record("reward.propose", actor=actor, obj=proposal, actor_name="" if actor else "奖惩规则",
               changes=changes)
    return proposal


def lock_proposal(proposal: Proposal, expected_version: int | None) -> Proposal:
    locked = (Proposal.objects.select_for_update(of=("self",)).select_related("rule", "unit")
              .get(pk=proposal.pk))
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion("该奖惩建议已被他人处理,请刷新后重试。")
    if locked.status != ProposalStatus.PROPOSED:
        done = "已确认" if locked.status == ProposalStatus.CONFIRMED else "已决定不予采纳"
        raise ValidationError(f"该奖惩建议{done},不能再处理。")
    return locked
