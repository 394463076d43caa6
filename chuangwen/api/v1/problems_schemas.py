"""Request and response shapes of the problem endpoints (问题整改).

Schema names carry a `Problem` prefix: the OpenAPI document keeps one namespace of components
for the whole API, and the task endpoints already own `Event`, `AcceptIn` and the like.  Request
bodies refuse unknown fields (422), so a client cannot set a status, a version or a party."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from chuangwen.problems.models import CategoryKind, LimitUnit, ProblemStatus, Severity, Source

from .common import Id, Text
from .tasks_schemas import In, UnitRef

StatusValue = Literal[tuple(ProblemStatus.values)]
SourceValue = Literal[tuple(Source.values)]
# 随手拍 comes from citizens (the public page, Open311), never from a staff token.
StaffSourceValue = Literal[tuple(v for v in Source.values if v != Source.CITIZEN)]
SeverityValue = Literal[tuple(Severity.values)]
ColourValue = Literal["red", "yellow", "blue"]
GroupValue = Literal["unit", "district", "category"]
# What `allowed_actions` names: the action endpoints below /problems/{number}/.
ActionValue = Literal["assign", "accept", "return", "submit", "recheck", "park-request", "park-decision",
                      "unpark", "void", "merge"]

# As the problem forms allow (problems/forms.py): a note or a reason, a description, an address.
NOTE_MAX, DESCRIPTION_MAX, ADDRESS_MAX = 1000, 1000, 200
Note = Annotated[str, Field(max_length=NOTE_MAX, pattern=r"^[^\x00]*$")]
# Dates and times beyond these cannot be a problem's, and far ones overflow the time zone maths.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _within_years(value: datetime) -> datetime:
    if not EARLIEST <= value.date() <= LATEST:
        raise ValueError("时间应在 2000 年至 2099 年之间")
    return value


Moment = Annotated[datetime, AfterValidator(_within_years)]
Day = Annotated[date, Field(ge=EARLIEST, le=LATEST)]
VERSION_DESCRIPTION = "读取时的 version;提供时若问题已被他人修改则返回 409"


# --- responses ---------------------------------------------------------------------------------


class ProblemCategoryRef(Schema):
    code: str
    name: str
    kind: Literal[tuple(CategoryKind.values)]
    group: str


class ProblemSiteRef(Schema):
    code: str
    name: str


class ProblemItem(Schema):
    number: str = Field(description="问题编号(一件一号)")
    status: StatusValue
    status_label: str
    source: SourceValue
    source_label: str
    category: ProblemCategoryRef
    severity: SeverityValue
    severity_label: str
    description: str
    district: UnitRef | None
    address: str
    responsible_unit: UnitRef | None
    responsible_name: str = Field(description="交办时责任单位的主要负责人(快照)")
    deadline: datetime | None = Field(description="整改时限")
    reported_at: datetime
    assigned_at: datetime | None
    closed_at: datetime | None
    overdue: bool = Field(description="已过整改时限而责任单位仍未整改完成")
    colour: ColourValue | None = Field(description="三色督办(按工作时间计算):正常或不在整改中为 null")
    colour_label: str
    rework_count: int
    version: int = Field(description="乐观锁版本号;写操作带上它,过期则返回 409")


class ProblemDeskItem(ProblemItem):
    suggested_unit: UnitRef | None = Field(description="派遣建议:点位的责任单位,或按类别和区县的派遣规则")
    rebound_of: str | None = Field(description="疑似反弹:同一点位或附近此前已销号的问题编号")


class ProblemEvidence(Schema):
    """When, where and with what a staff photo was taken (HQ staff and inspectors only)."""

    taken_at: datetime | None
    gps_lat: float | None
    gps_lng: float | None
    device: str


class ProblemPhoto(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str = Field(description="页面使用的下载地址(需已登录的浏览器会话,接口令牌不能下载)")
    evidence: ProblemEvidence | None


class ProblemEvent(Schema):
    kind: str
    kind_label: str
    actor_name: str
    at: datetime
    from_status: str
    to_status: str
    note: str
    is_public: bool = Field(description="市民查询页是否显示此步骤")


class ProblemReporter(Schema):
    """A citizen's contact, masked (张**, 138****5678); never in full over the API."""

    name: str
    phone: str


class ProblemDetail(ProblemDeskItem):
    site: ProblemSiteRef | None
    lng: float | None = Field(description="经度(WGS-84)")
    lat: float | None = Field(description="纬度(WGS-84)")
    linked_leader_name: str
    original_deadline: datetime | None
    submitted_at: datetime | None
    merged_into: str | None = Field(description="已作为重复问题并入的问题编号")
    reported_by_name: str = Field(description="上报的工作人员;市民上报为空")
    reporter: ProblemReporter | None = Field(description="市民留下的称呼和电话(脱敏);未留为 null")
    tracking_code: str | None = Field(description="随手拍查询码")
    public_reply: str
    photos_before: list[ProblemPhoto]
    photos_after: list[ProblemPhoto]
    allowed_actions: list[ActionValue] = Field(
        description="令牌持有人现在可办理的操作,即 POST /problems/{number}/ 下的路径名"
    )
    events: list[ProblemEvent]


class ProblemPage(Schema):
    items: list[ProblemItem]
    next: str | None


class ProblemDeskPage(Schema):
    items: list[ProblemDeskItem]
    next: str | None
    total: int = Field(description="待交办总数(超过 1000 时为 1000)")
    total_capped: bool = Field(description="待交办超过 1000 件")


class ProblemTimeLimit(Schema):
    severity: SeverityValue
    amount: int
    unit: Literal[tuple(LimitUnit.values)]
    unit_label: str


class ProblemCategory(ProblemCategoryRef):
    kind_label: str
    is_active: bool
    limits: list[ProblemTimeLimit]


class ProblemCategoryPage(Schema):
    items: list[ProblemCategory]
    next: str | None


class ProblemMetrics(Schema):
    code: str | None = Field(description="单位或类别编码;“未交办”“未填区县”行为 null,合计行为 null")
    label: str
    reported: int
    rebounds: int
    assigned: int
    closed: int
    close_minutes: int
    reworked: int
    due: int
    due_deferred: int
    due_closed: int
    due_on_time: int
    due_extended: int
    on_time_rate: float | None = Field(description="按期结案率(0–1),分母为 0 时为 null")
    closure_rate: float | None
    rework_rate: float | None
    extension_rate: float | None
    rebound_rate: float | None
    avg_close_hours: float | None = Field(description="平均办结用时(工作小时)")


class ProblemMetricsReport(Schema):
    start: date
    end: date
    group: GroupValue
    items: list[ProblemMetrics]
    total: ProblemMetrics


# --- query parameters --------------------------------------------------------------------------


class ProblemFilters(Schema):
    status: list[StatusValue] = Field(default_factory=list, max_length=len(ProblemStatus.values),
                                      description="状态,可重复(status=assigned&status=rectifying)")
    category: Text | None = Field(None, description="问题类别编码")
    source: SourceValue | None = None
    unit: Text | None = Field(None, description="责任单位编码(含下级单位)")
    district: Text | None = Field(None, description="所在区县编码")
    colour: ColourValue | None = Field(None, description="三色督办颜色(仅整改中的问题)")
    reported_after: Moment | None = Field(None, description="上报时间不早于(ISO 8601,未带时区按北京时间)")
    reported_before: Moment | None = Field(None, description="上报时间早于(ISO 8601,未带时区按北京时间)")
    q: Text | None = Field(None, description="编号或地点包含的文字")


class DeskFilters(Schema):
    category: Text | None = Field(None, description="问题类别编码")
    source: SourceValue | None = None
    district: Text | None = Field(None, description="所在区县编码")


class MetricsParams(Schema):
    start: Day | None = Field(None, description="起始日期(含),默认本月 1 日;期间最长 366 天")
    end: Day | None = Field(None, description="截止日期(含),默认今天")
    group: GroupValue = Field("unit", description="按责任单位、区县或问题类别分组")
    unit: Text | None = Field(None, description="只统计该单位(含下级单位)")
    district: Text | None = Field(None, description="只统计该区县")
    category: Text | None = Field(None, description="只统计该类别")


# --- request bodies ----------------------------------------------------------------------------


class ProblemReportIn(In):
    source: StaffSourceValue = Field(description="来源(随手拍由市民在公开页面上报,不经此接口)")
    category: Text = Field(description="问题类别编码(GET /problem-categories)")
    severity: SeverityValue = "normal"
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX, pattern=r"^[^\x00]*$")]
    district: Text | None = Field(None, description="所在区县编码")
    site: Annotated[str, Field(max_length=32, pattern=r"^[^\x00]*$")] | None = Field(
        None, description="点位编码:按点位的责任单位派遣,并带出区县和地址")
    address: Annotated[str, Field(max_length=ADDRESS_MAX, pattern=r"^[^\x00]*$")] = ""
    lng: float | None = Field(None, ge=-180, le=180, description="经度(WGS-84),与纬度同时填写")
    lat: float | None = Field(None, ge=-90, le=90, description="纬度(WGS-84)")


class ProblemVersionIn(In):
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)


class ProblemAssignIn(ProblemVersionIn):
    unit: Text | None = Field(None, description="责任单位编码;不填则按派遣建议")
    severity: SeverityValue | None = Field(None, description="严重程度;不填则不变(时限按类别和严重程度计算)")


class ProblemReasonIn(ProblemVersionIn):
    reason: Note = Field(description="理由(必填)")


class ProblemNoteIn(ProblemVersionIn):
    note: Note = Field("", description="说明")


class ProblemSubmitIn(ProblemNoteIn):
    note: Note = Field("", description="整改情况")


class ProblemRecheckIn(ProblemNoteIn):
    passed: bool = Field(description="true 复查通过销号;false 未通过返工(须填写 note 说明原因)")


class ProblemParkDecisionIn(ProblemNoteIn):
    approve: bool = Field(description="true 同意挂账;false 不同意,继续整改(须填写 note)")


class ProblemMergeIn(ProblemNoteIn):
    into: Annotated[str, Field(max_length=20, pattern=r"^[0-9]+$")] = Field(
        description="保留办理的问题编号;本问题作废并入该问题")


class ProblemExtensionIn(ProblemVersionIn):
    new_deadline: datetime = Field(description="申请延至的整改时限(带时区,如 2026-09-22T17:30:00+08:00)")
    reason: Note = Field(description="延期理由(必填)")


class ProblemExtensionDecisionIn(In):
    approve: bool = Field(description="true 同意延期(整改时限改为申请的时限,原定时限保留);false 不同意(须填写 note)")
    note: Note = Field("", description="审批意见")


class ProblemReplyIn(ProblemVersionIn):
    text: Annotated[str, Field(min_length=1, max_length=500)] = Field(description="公开答复(市民查询页可见)")
