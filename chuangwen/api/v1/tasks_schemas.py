"""Request and response shapes of the plan and task endpoints.

Request bodies refuse unknown fields (422), so a client cannot set what the endpoint does not
name (status, version, parties, ...): only the services move a task."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from chuangwen.tasks.models import HandoverStatus, TaskStatus

from .common import Id, LongText

# Literal[tuple] spells the enum from the model's choices, so the document follows the model.
StatusValue = Literal[tuple(TaskStatus.values)]
HandoverStatusValue = Literal[tuple(HandoverStatus.values)]
ColourValue = Literal["red", "yellow", "blue"]
# Actions taken at /tasks/{code}/actions/{action}; 交账, 验收 and 退回 go through /handovers.
ActionValue = Literal["sign_off", "sign_for", "start", "issue", "cancel"]


class UnitRef(Schema):
    code: str
    name: str


class Plan(Schema):
    id: int
    year: int
    title: str
    doc_number: str
    goals: str
    issuing_unit: UnitRef
    requires_signoff: bool
    created_at: datetime
    version: int


class PlanDetail(Plan):
    completion: float = Field(description="按权重汇总的完成度(0–100)")


class TaskItem(Schema):
    code: str
    title: str
    plan_id: int
    parent_code: str | None
    status: StatusValue
    status_label: str
    deadline: date | None
    original_deadline: date | None
    issuing_unit: UnitRef
    lead_unit: UnitRef | None
    responsible_name: str
    linked_leader_name: str
    progress: int = Field(description="最近报送的完成进度(%)")
    colour: ColourValue | None = Field(description="三色督办:未办结任务的颜色,正常或已办结为 null")
    colour_label: str
    last_update_at: datetime | None
    version: int = Field(description="乐观锁版本号;写操作带上它,过期则返回 409")


class Milestone(Schema):
    id: int
    title: str
    due: date
    done_at: datetime | None


class Event(Schema):
    kind: str
    kind_label: str
    actor_name: str
    at: datetime
    from_status: str
    to_status: str
    note: str


class PolicyRef(Schema):
    code: str
    name: str


class GroupRef(Schema):
    code: str
    name: str


class TaskDetail(TaskItem):
    plan_title: str
    source: str
    source_label: str
    source_ref: str
    # 定任务
    content: str
    standard: str
    # 定进度
    milestones: list[Milestone]
    # 定责任
    cooperating_units: list[UnitRef]
    work_group: GroupRef | None
    # 定考评
    criteria: str
    points: float | None
    weight: float
    # 定奖惩
    policy: PolicyRef | None
    missing_fixes: list[str] = Field(description="草拟任务五定未到位之处(下达前须补齐)")
    days_overdue: int = Field(description="逾期工作日数")
    completion: float = Field(description="含下级任务按权重汇总的完成度(0–100)")
    allowed_actions: list[str] = Field(
        description="令牌持有人现在可办理的操作:issue、sign_for、start、cancel(/actions/{action}),"
        "hand_in(POST /handovers)、accept、return(/handovers/accept、/handovers/return)"
    )
    can_report: bool = Field(description="令牌持有人现在可报送进度")
    issued_at: datetime | None
    signed_at: datetime | None
    handed_in_at: datetime | None
    accepted_at: datetime | None
    created_at: datetime
    events: list[Event]


class ProgressUpdate(Schema):
    id: int
    task_code: str
    percent: int
    text: str
    problems: str
    next_steps: str
    reported_by_name: str
    reported_at: datetime


class Handover(Schema):
    id: int
    task_code: str
    task_title: str
    from_unit: UnitRef
    to_unit: UnitRef
    from_name: str
    to_name: str
    summary: str
    status: HandoverStatusValue
    status_label: str
    submitted_at: datetime
    review_note: str
    decided_at: datetime | None
    decision_note: str


class PlanPage(Schema):
    items: list[Plan]
    next: str | None


class TaskPage(Schema):
    items: list[TaskItem]
    next: str | None


class ProgressUpdatePage(Schema):
    items: list[ProgressUpdate]
    next: str | None


class HandoverPage(Schema):
    items: list[Handover]
    next: str | None


# --- request bodies ------------------------------------------------------------------------------

VERSION_DESCRIPTION = "读取时的 version;提供时若任务已被他人修改则返回 409"


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ProgressIn(In):
    percent: int = Field(ge=0, le=100, description="完成进度(%)")
    text: LongText = Field(description="进展情况")
    problems: LongText = Field("", description="存在问题")
    next_steps: LongText = Field("", description="下步打算")
    milestones_done: list[Id] = Field(default_factory=list, max_length=100, description="本次完成的节点 id")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)


class HandoverIn(In):
    summary: LongText = Field(description="交账内容:完成情况、成效和佐证材料说明")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)


class AcceptIn(In):
    note: LongText = Field("", description="验收意见")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)


class ReturnIn(In):
    reason: LongText = Field(description="退回理由(必填)")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)


class ActionIn(In):
    note: LongText = Field("", description="撤销(cancel)时为撤销理由,必填;其他操作不用")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)
