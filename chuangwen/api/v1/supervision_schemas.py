"""Request and response shapes of the supervision endpoints (督查督办).

Request bodies refuse unknown fields (422): status, closure and links are moved only by the
services.  Units, people, sites, categories and policies are named by their codes (usernames
for people), as elsewhere in the API."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from chuangwen.problems.models import ProblemStatus, Severity
from chuangwen.supervision.models import ItemStatus, MeetingKind, VisitKind

from .common import LongText
from .tasks_schemas import TaskItem, UnitRef

ItemStatusValue = Literal[tuple(ItemStatus.values)]
MeetingKindValue = Literal[tuple(MeetingKind.values)]
VisitKindValue = Literal[tuple(VisitKind.values)]
SeverityValue = Literal[tuple(Severity.values)]
StageValue = Literal["new", "working", "ready", "closed"]
# A code, a username or a short text in a body: no NUL (PostgreSQL refuses it), bounded.
Code = Annotated[str, Field(min_length=1, max_length=150, pattern=r"^[^\x00]*$")]
ShortText = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]
STAGE_DESCRIPTION = "待分解 new、办理中 working、待办结 ready(任务均已验收)、已办结 closed"
VERSION_DESCRIPTION = "读取时的 version;提供时若已被他人修改则返回 409"


class Closure(Schema):
    status: ItemStatusValue
    status_label: str
    stage: StageValue = Field(description=STAGE_DESCRIPTION)
    stage_label: str
    task_total: int = Field(description="未撤销的督办任务数(只计令牌持有人可见的任务)")
    task_accepted: int = Field(description="其中已验收的任务数")
    closed_at: datetime | None
    version: int


class InstructionItem(Closure):
    id: int
    leader_name: str
    date: date
    title: str
    doc_number: str


class InstructionDetail(InstructionItem):
    text: str
    closing_note: str
    closed_by_name: str
    created_at: datetime
    tasks: list[TaskItem]


class DecisionDetail(Closure):
    id: int
    meeting_id: int
    meeting_title: str
    number: int
    text: str
    closing_note: str
    tasks: list[TaskItem]


class MeetingItem(Schema):
    id: int
    kind: MeetingKindValue
    kind_label: str
    date: date
    title: str
    chair_name: str
    place: str
    doc_number: str
    decision_total: int = Field(description="议定事项数(只计可见的)")
    decision_closed: int
    version: int


class MeetingDetail(MeetingItem):
    attendees: str
    decisions: list[DecisionDetail]


class SiteRef(Schema):
    code: str
    name: str


class Finding(Schema):
    number: int
    problem_number: str
    problem_status: Literal[tuple(ProblemStatus.values)]
    problem_status_label: str
    category: str
    description: str
    site: SiteRef | None
    address: str
    suggested_unit: UnitRef | None
    responsible_unit: UnitRef | None
    raised_by: str


class VisitItem(Schema):
    id: int
    kind: VisitKindValue
    kind_label: str
    date: date
    title: str
    members: str
    finding_total: int = Field(description="发现问题数(只计可见的)")
    finding_closed: int = Field(description="其中已销号的")
    version: int


class VisitDetail(VisitItem):
    summary: str
    sites: list[SiteRef]
    findings: list[Finding]


class LedgerLine(Schema):
    key: str = Field(description="instruction、meeting:<类型>、visit:<类型>,或合计行的 instruction/meeting/visit")
    label: str
    year: int | None
    items: int = Field(description="批示、会议或视察次数")
    entries: int = Field(description="跟踪事项数:批示、议定事项或发现问题")
    entries_closed: int = Field(description="已办结的批示/议定事项,或已销号的问题")
    tasks: int
    tasks_accepted: int
    problems: int
    problems_closed: int


class Ledger(Schema):
    year: int | None
    years: list[int]
    by_source: list[LedgerLine]
    totals: list[LedgerLine]
    lines: list[LedgerLine] = Field(description="按年度、来源分列")
    phrases: list[str] = Field(description="情况汇报用语")


class InstructionPage(Schema):
    items: list[InstructionItem]
    next: str | None


class MeetingPage(Schema):
    items: list[MeetingItem]
    next: str | None


class VisitPage(Schema):
    items: list[VisitItem]
    next: str | None


# --- request bodies ------------------------------------------------------------------------------


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class InstructionIn(In):
    leader: Code = Field(description="批示领导的用户名(须为市领导)")
    date: date
    title: ShortText
    text: LongText
    doc_number: ShortText = ""


class SplitIn(In):
    units: list[Code] = Field(min_length=1, max_length=100, description="承办单位编码,每个单位一项任务")
    deadline: date
    title: ShortText | None = Field(None, description="任务名称,缺省按批示或议定事项拟定")
    content: LongText | None = None
    standard: LongText | None = None
    criteria: LongText | None = None
    points: float | None = Field(None, ge=0, le=9999)
    policy: Code | None = Field(None, description="奖惩规则编号,缺省 JC03")
    work_group: Code | None = Field(None, description="工作组编码")
    issue: bool = Field(True, description="立即下达;false 则保存为草稿")
    version: int | None = Field(None, ge=1, description=VERSION_DESCRIPTION)


class CloseIn(In):
    note: LongText = Field(description="办结意见")
    version: int | None = Field(None, ge=1, description=VERSION_DESCRIPTION)


class MeetingIn(In):
    kind: MeetingKindValue
    date: date
    title: ShortText
    chair: Code = Field(description="主持人的用户名")
    attendees: LongText = ""
    place: ShortText = ""
    doc_number: ShortText = ""
    decisions: list[LongText] = Field(default_factory=list, max_length=100, description="议定事项,按顺序")


class DecisionIn(In):
    text: LongText


class VisitIn(In):
    kind: VisitKindValue
    date: date
    title: ShortText
    members: LongText
    member_usernames: list[Code] = Field(default_factory=list, max_length=100)
    sites: list[Code] = Field(default_factory=list, max_length=100, description="点位编码")
    summary: LongText = ""


class FindingIn(In):
    description: Annotated[str, Field(max_length=1000, pattern=r"^[^\x00]*$")]
    category: Code = Field(description="问题类别编码")
    severity: SeverityValue = Severity.NORMAL
    site: Code | None = Field(None, description="点位编码")
    district: Code | None = Field(None, description="区县单位编码")
    address: ShortText = ""
    raised_by: ShortText = ""
    assign_to: Code | None = Field(None, description="直接交办的责任单位编码")
