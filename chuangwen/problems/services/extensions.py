"""延期 and 公开答复: the two changes that are not status moves.

An extension is asked by the responsible unit before the deadline passes (DOMAIN-NOTES §4.3: a
late request is an overdue problem, not an extension) and decided by HQ.  An approved extension
moves `deadline`; `original_deadline` stays, and the summary counts the problem as extended on
the new deadline's day — so the decision runs the summary hooks like every other change.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chuangwen.accounts.roles import Role
from chuangwen.audit.log import record
from chuangwen.notifications.services import notify
from chuangwen.org.models import Post

from ..models import OPEN_STATUSES, ExtensionStatus, Problem, ProblemEventKind, ProblemExtension
from ..permissions import require_party
from ..transitions import Party
from .common import event, lock, save
from .summary import summary_after, summary_before

__all__ = ["EXTENSION_MAX_DAYS", "REPLY_MAX", "problem_extension_decide", "problem_extension_request",
           "problem_reply"]

# A longer delay is not an extension but a case for 挂账 (parking, with its own approval).
EXTENSION_MAX_DAYS = 60
REPLY_MAX = 500


def _url(problem: Problem) -> str:
    try:
        return reverse("problems:detail", args=[problem.number])
    except NoReverseMatch:
        return ""


def _hq_staff() -> list:
    return list(get_user_model().objects.with_role(Role.HQ_STAFF).filter(is_active=True))


def _unit_contacts(unit) -> list:
    if unit is None:
        return []
    posts = Post.objects.current(timezone.localdate()).filter(unit=unit).select_related("person")
    return [p.person for p in posts if p.is_head or p.is_liaison]


def _tell(people, **kwargs) -> None:
    """Inside the change's transaction: the request and its notice stand or fall together."""
    people = [p for p in people if p is not None]
    if people:
        notify(people, **kwargs)


def problem_extension_request(*, problem: Problem, actor, new_deadline: datetime, reason: str,
                              expected_version: int | None = None) -> ProblemExtension:
    """申请延期 by the responsible unit's head or liaison, before the deadline passes."""
    require_party(actor, problem, Party.UNIT, "申请延期")
    reason = reason.strip()
    if not reason:
        raise ValidationError("请填写延期理由。")
    if timezone.is_naive(new_deadline):
        raise ValidationError("申请的整改时限须带时区。")
    with transaction.atomic():
        locked = lock(problem, expected_version)
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(f"问题当前为“{locked.get_status_display()}”,不能申请延期。")
        now = timezone.now()
        if locked.deadline is None:
            raise ValidationError("该问题没有整改时限,无需延期。")
        if locked.deadline <= now:
            raise ValidationError("已超过整改时限,不能再申请延期;请尽快整改或申请挂账。")
        if new_deadline <= locked.deadline:
            raise ValidationError("申请的整改时限应晚于现在的整改时限。")
        if new_deadline > locked.deadline + timedelta(days=EXTENSION_MAX_DAYS):
            raise ValidationError(f"延期不能超过 {EXTENSION_MAX_DAYS} 天;确实无法整改的请申请挂账。")
        try:
            with transaction.atomic():
                ext = ProblemExtension.objects.create(problem=locked, reason=reason, old_deadline=locked.deadline,
                                                      new_deadline=new_deadline, requested_by=actor)
        except IntegrityError:
            raise ValidationError("该问题已有待审批的延期申请。") from None
        save(locked, [])
        shown = timezone.localtime(new_deadline)
        event(locked, ProblemEventKind.EXTENSION_REQUEST, actor, note=f"申请延期至 {shown:%Y-%m-%d %H:%M}:{reason}")
        record("problem.extension_request", actor=actor, obj=locked,
               changes={"deadline": [locked.deadline.isoformat(), new_deadline.isoformat()], "reason": [None, reason]})
        _tell(_hq_staff(), kind="problem.extension", title=f"延期申请:问题 {locked.number}",
                           body=f"{locked.responsible_unit}申请将整改时限延至 {shown:%Y-%m-%d %H:%M}:{reason}",
                           url=_url(locked), dedupe_key=f"problem-extension:{ext.pk}")
    return ext


def problem_extension_decide(*, extension: ProblemExtension, actor, approve: bool, note: str = "") -> ProblemExtension:
    """延期审批 by HQ's dispatch desk.  Approval moves the deadline (the original stays for
    assessment) and is shown on the citizen's tracking page; a refusal needs a reason."""
    problem = extension.problem
    require_party(actor, problem, Party.DISPATCH, "审批延期")
    note = note.strip()
    if not approve and not note:
        raise ValidationError("不同意延期须说明理由。")
    with transaction.atomic():
        locked = lock(problem)
        ext = ProblemExtension.objects.select_for_update().get(pk=extension.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise ValidationError("该延期申请已审批。")
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        ext.decided_by, ext.decided_at, ext.decision_note = actor, timezone.now(), note
        ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        shown = timezone.localtime(ext.new_deadline)
        if approve and locked.status in OPEN_STATUSES:
            counted = summary_before(locked)
            before = locked.deadline
            locked.deadline = ext.new_deadline
            save(locked, ["deadline"])
            summary_after(locked, counted)
            changes = {"deadline": [before.isoformat() if before else None, ext.new_deadline.isoformat()]}
            text = f"同意延期,整改时限延至 {shown:%Y-%m-%d %H:%M}"
        else:
            # Approving a request whose problem has meanwhile left the open states moves nothing.
            save(locked, [])
            changes = {"extension": [None, ext.status]}
            text = "不同意延期" if not approve else "同意延期(问题已不在整改中,时限不变)"
        event(locked, ProblemEventKind.EXTENSION_DECIDE, actor, note=text + (f":{note}" if note else ""),
              public=approve and "deadline" in changes)
        record("problem.extension_decide", actor=actor, obj=locked, changes=changes)
        _tell([ext.requested_by, *_unit_contacts(locked.responsible_unit)], kind="problem.extension",
                           title=("延期已同意:" if approve else "延期未同意:") + f"问题 {locked.number}",
                           body=text + (f"。{note}" if note else ""), url=_url(locked),
                           dedupe_key=f"problem-extension:{ext.pk}:decided")
    return ext


def problem_reply(*, problem: Problem, actor, text: str, expected_version: int | None = None) -> Problem:
    """公开答复 to the reporter(s): shown on the tracking page (and Open311's status_notes).
    HQ's dispatch desk writes it; a reply replaces the previous one, which stays in the timeline."""
    require_party(actor, problem, Party.DISPATCH, "公开答复")
    text = text.strip()
    if not text:
        raise ValidationError("请填写答复内容。")
    if len(text) > REPLY_MAX:
        raise ValidationError(f"答复不能超过 {REPLY_MAX} 字。")
    with transaction.atomic():
        locked = lock(problem, expected_version)
        before = locked.public_reply
        locked.public_reply = text
        save(locked, ["public_reply"])
        event(locked, ProblemEventKind.REPLY, actor, note=text, public=True)
        record("problem.reply", actor=actor, obj=locked, changes={"public_reply": [before or None, text]})
    return locked
