"""Who may do what: the one table of role × verb, used by services to enforce and by templates
to show buttons.  It lives here, with the roles, so every app (the administrators' pages in
accounts included) reads the same table; `org.permissions` adds the scope rule on top.

Later apps add their verbs to this table, so the whole matrix stays in one place.
"""

from django.core.exceptions import PermissionDenied

from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome

from .roles import Role

BUSINESS_VIEWERS = {
    Role.LEADER, Role.HQ_STAFF, Role.GROUP_LEAD, Role.UNIT_HEAD, Role.LIAISON, Role.INSPECTOR,
    Role.DEPUTY,
}

VERBS: dict[str, set[str]] = {
    # Organisation pages and exports (what is shown is still limited by the scope rule).
    "org.view": BUSINESS_VIEWERS | {Role.SECADMIN},
    "org.export": {Role.LEADER, Role.HQ_STAFF, Role.GROUP_LEAD, Role.UNIT_HEAD, Role.LIAISON},
    # Master data of the organisation.
    "unit.manage": {Role.HQ_STAFF},
    "linkage.manage": {Role.HQ_STAFF},
    "group.manage": {Role.HQ_STAFF},
    "calendar.manage": {Role.HQ_STAFF},
    # Five-fixes tasks: HQ drafts plans and issues city tasks; unit heads and liaisons sign for,
    # report, decompose and hand in (the task's parties decide further: tasks.permissions).
    "task.view": BUSINESS_VIEWERS,
    "task.manage": {Role.HQ_STAFF},
    "task.work": {Role.HQ_STAFF, Role.UNIT_HEAD, Role.LIAISON},
    "task.export": {Role.LEADER, Role.HQ_STAFF, Role.GROUP_LEAD, Role.UNIT_HEAD, Role.LIAISON},
    # Sites (点位) and shops' responsibility zones (门前五包): HQ keeps the register; business
    # roles read it within their scope.
    "place.view": BUSINESS_VIEWERS,
    "place.manage": {Role.HQ_STAFF},
    # Problems (交办 → 整改 → 复查 → 销号): HQ dispatches, units rectify, inspectors recheck.
    "problem.view": BUSINESS_VIEWERS,
    "problem.report": BUSINESS_VIEWERS,
    "problem.dispatch": {Role.HQ_STAFF},
    "problem.rectify": {Role.UNIT_HEAD, Role.LIAISON},
    "problem.recheck": {Role.INSPECTOR, Role.HQ_STAFF},
    # The categories, time limits and routing table HQ edits (基础数据维护).
    "problem.configure": {Role.HQ_STAFF},
    # Supervision (督查督办): leaders' instructions, meetings and deputies' visits are recorded and
    # split into tasks and problems by HQ; business roles read the ledgers within their scope.
    "supervision.view": BUSINESS_VIEWERS,
    "supervision.manage": {Role.HQ_STAFF},
    # Evaluation (考评): HQ sets periods and weights and finalises a period; business roles read
    # scores and rankings within their scope.
    "evaluation.view": BUSINESS_VIEWERS,
    "evaluation.manage": {Role.HQ_STAFF},
    # Rewards and penalties (奖惩): a rule only proposes; HQ staff confirm (and then a record
    # exists); city leaders read the register.
    "reward.view": BUSINESS_VIEWERS,
    "reward.confirm": {Role.HQ_STAFF},
    # 三员分立: accounts and backups by the system administrator; roles, posts, second factors
    # and API keys by the security administrator; the audit log by the auditor.
    "user.manage": {Role.SYSADMIN},
    "backup.run": {Role.SYSADMIN},
    "role.grant": {Role.SECADMIN},
    "post.manage": {Role.SECADMIN},
    "mfa.manage": {Role.SECADMIN},
    "apikey.manage": {Role.SECADMIN},
    "audit.read": {Role.AUDITOR},
    # Where and when a staff photo was taken (EXIF kept as evidence; attachments app): HQ and
    # the inspectors who check closures, within the photo's owner scope.
    "photo.evidence": {Role.HQ_STAFF, Role.INSPECTOR},
    # Personal information (PIPL): pages show citizens' phones and names masked; seeing one in
    # full is a separate, audited act (chuangwen.accounts.pi.pi_unmask).  HQ staff only, who
    # call reporters back; units rectify from the masked record.
    "pi.unmask": {Role.HQ_STAFF},
}

VERB_LABELS = {
    "org.view": "查看组织机构",
    "org.export": "导出组织机构",
    "unit.manage": "维护单位",
    "linkage.manage": "维护挂钩关系",
    "group.manage": "维护工作组",
    "calendar.manage": "维护工作日历",
    "task.view": "查看任务",
    "task.manage": "制定方案与下达任务",
    "task.work": "办理任务",
    "task.export": "导出任务台账",
    "place.view": "查看点位",
    "place.manage": "维护点位与门前五包",
    "problem.view": "查看问题",
    "problem.report": "上报问题",
    "problem.dispatch": "交办问题",
    "problem.rectify": "整改问题",
    "problem.recheck": "复查问题",
    "problem.configure": "维护问题类别与派遣规则",
    "supervision.view": "查看督查督办",
    "supervision.manage": "登记批示、会议与视察",
    "evaluation.view": "查看考评",
    "evaluation.manage": "维护考评与定榜",
    "reward.view": "查看奖惩",
    "reward.confirm": "确认奖惩",
    "user.manage": "管理账号",
    "backup.run": "备份与恢复",
    "role.grant": "授予角色",
    "post.manage": "任免职务",
    "mfa.manage": "管理动态口令",
    "apikey.manage": "管理接口令牌",
    "audit.read": "查阅审计日志",
    "photo.evidence": "查看照片拍摄信息",
    "pi.unmask": "查看完整个人信息",
}


def has_verb(user, verb: str) -> bool:
    """True if `user` is active and holds a role allowed `verb` (no scope involved)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    allowed = VERBS.get(verb)
    if allowed is None:
        raise KeyError(f"unknown verb {verb!r}")
    return user.has_role(*allowed)


def deny(user, verb: str, obj=None) -> None:
    """Audit a refusal and raise PermissionDenied with a Chinese reason."""
    record(
        "permission.denied", actor=user if getattr(user, "pk", None) else None,
        outcome=Outcome.DENIED, obj=obj, changes={"verb": [None, verb]},
    )
    raise PermissionDenied(f"没有“{VERB_LABELS.get(verb, verb)}”的权限。")


def require_verb(user, verb: str) -> None:
    """Call before opening the service's transaction, so the denial entry is not rolled back."""
    if not has_verb(user, verb):
        deny(user, verb)


def deny_self(user, verb: str) -> None:
    """Audit and refuse an administrator's action on their own account."""
    record(
        "permission.denied", actor=user, outcome=Outcome.DENIED, obj=user,
        changes={"verb": [None, verb], "reason": [None, "self"]},
    )
    raise PermissionDenied("不能对自己的账号执行此操作,请由另一位管理员办理。")
