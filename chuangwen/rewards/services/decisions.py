"""Confirming or dismissing a proposal: only a person with `reward.confirm`, only while it is
still proposed, with a version check (two confirmers on one proposal: the second is told).
Confirming is the only way a `Record` comes to exist."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.org.models import Post
from chuangwen.org.permissions import require

from ..models import Proposal, ProposalStatus, Record
from .common import lock_proposal

REASON_MAX = 2000
DOC_NUMBER_MAX = 60


def _require(actor, proposal: Proposal) -> None:
    # The proposal's unit must be in the confirmer's scope (HQ staff see every unit).
    require(actor, "reward.confirm", proposal.unit)


def proposal_confirm(*, proposal: Proposal, actor, reason: str | None = None, doc_number: str = "",
                     expected_version: int | None = None) -> Record:
    """Issue the reward or penalty: the record carries the (possibly edited) reason and the
    issuing document's number."""
    _require(actor, proposal)
    reason = (proposal.reason if reason is None else reason).strip()
    doc_number = (doc_number or "").strip()
    if not reason:
        raise ValidationError("请填写奖惩事由。")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"奖惩事由不能超过 {REASON_MAX} 字。")
    if len(doc_number) > DOC_NUMBER_MAX:
        raise ValidationError(f"发文字号不能超过 {DOC_NUMBER_MAX} 字。")
    if "\x00" in reason or "\x00" in doc_number:
        raise ValidationError("奖惩事由或发文字号含有无效字符。")
    with transaction.atomic():
        locked = lock_proposal(proposal, expected_version)
        now = timezone.now()
        rec = Record.objects.create(
            proposal=locked, kind=locked.kind, unit=locked.unit, unit_name=locked.unit_name,
            person=locked.person, person_name=locked.person_name, period=locked.period, task=locked.task,
            occurred_on=locked.occurred_on, reason=reason, doc_number=doc_number, confirmed_at=now,
            confirmed_by=actor,
        )
        locked.status, locked.decided_at, locked.decided_by = ProposalStatus.CONFIRMED, now, actor
        locked.version += 1
        locked.save(update_fields=["status", "decided_at", "decided_by", "version"])
        changes = {"status": [ProposalStatus.PROPOSED, ProposalStatus.CONFIRMED], "kind": [None, rec.kind],
                   "unit": [None, rec.unit_name], "doc_number": [None, doc_number]}
        if reason != locked.reason:
            changes["reason"] = [locked.reason, reason]
        record("reward.confirm", actor=actor, obj=rec, changes=changes)
        _notify_after_commit(rec)
    return rec


def proposal_dismiss(*, proposal: Proposal, actor, reason: str,
                     expected_version: int | None = None) -> Proposal:
    """Not adopted, with the reason; the proposal's key stays taken, so the rules never bring it
    back."""
    _require(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写不予采纳的理由。")
    if len(reason) > REASON_MAX or "\x00" in reason:
        raise ValidationError(f"不予采纳的理由不能超过 {REASON_MAX} 字,且不能含有无效字符。")
    with transaction.atomic():
        locked = lock_proposal(proposal, expected_version)
        locked.status, locked.decided_at, locked.decided_by = ProposalStatus.DISMISSED, timezone.now(), actor
        locked.decision_note = reason
        locked.version += 1
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "version"])
        record("reward.dismiss", actor=actor, obj=locked, changes={
            "status": [ProposalStatus.PROPOSED, ProposalStatus.DISMISSED], "note": [None, reason]})
    return locked


def _notify_after_commit(rec: Record) -> None:
    """The unit's head and liaisons (and the person named) learn of the decision once it is
    committed."""
    recipients = []
    if rec.unit_id:
        posts = Post.objects.current().filter(Q(is_head=True) | Q(is_liaison=True), unit_id=rec.unit_id)
        recipients = [p.person for p in posts.select_related("person")]
    if rec.person_id:
        recipients.append(rec.person)
    if not recipients:
        return
    title = f"奖惩决定:{rec.unit_name.rsplit('/', 1)[-1] or rec.person_name} {rec.get_kind_display()}"
    url = reverse("rewards:record", args=[rec.pk])

    def send():
        from chuangwen.notifications.services import notify

        notify(recipients, kind="reward.confirmed", title=title, body=rec.reason[:500], url=url,
               dedupe_key=f"reward:{rec.pk}")

    transaction.on_commit(send)
