"""Request and response shapes of the rewards endpoints (奖惩).

Request bodies refuse unknown fields (422): a client cannot set a status, a kind or a unit; only
the services confirm or dismiss, and only what a rule proposed."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from chuangwen.evaluation.models import RankGroup
from chuangwen.rewards.models import ProposalStatus
from chuangwen.tasks.models import RewardKind

from .common import Id, LongText

KindValue = Literal[tuple(RewardKind.values)]
ProposalStatusValue = Literal[tuple(ProposalStatus.values)]
GroupValue = Literal[tuple(RankGroup.values)]
BoardValue = Literal["red", "black", ""]

VERSION_DESCRIPTION = "读取时的 version;提供时若建议已被他人处理则返回 409"


class UnitRef(Schema):
    code: str
    name: str = Field(description="单位名称(快照,不含市名)")


class RuleRef(Schema):
    code: str
    name: str
    trigger: str


class PeriodRef(Schema):
    id: int
    label: str
    kind: str


class Proposal(Schema):
    id: int
    rule: RuleRef
    kind: KindValue
    kind_label: str
    base_kind: KindValue = Field(description="逐级升级之前规则给出的方式")
    suggestion: str = Field(description="建议的处理,如“建议授予流动红旗”")
    unit: UnitRef | None
    person_name: str = Field(description="约谈、诫勉、问责的对象(单位主要负责人)")
    period: PeriodRef | None
    task_code: str | None
    occurred_on: date
    reason: str
    evidence: list[dict]
    status: ProposalStatusValue
    status_label: str
    proposed_at: datetime
    decided_at: datetime | None
    decision_note: str
    record_id: int | None
    version: int = Field(description="乐观锁版本号;确认或不予采纳时带上它,过期则返回 409")


class Record(Schema):
    id: int
    proposal_id: int
    rule: RuleRef
    kind: KindValue
    kind_label: str
    unit: UnitRef | None
    person_name: str
    period: PeriodRef | None
    task_code: str | None
    occurred_on: date
    reason: str
    doc_number: str
    confirmed_by_name: str
    confirmed_at: datetime


class ProposalPage(Schema):
    items: list[Proposal]
    next: str | None


class RecordPage(Schema):
    items: list[Record]
    next: str | None


class RankRow(Schema):
    rank: int
    unit_name: str
    score: float
    board: BoardValue


class RankTable(Schema):
    group: GroupValue
    label: str
    rows: list[RankRow]


class Listed(Schema):
    kind: KindValue
    kind_label: str
    unit_name: str
    person_name: str
    reason: str
    doc_number: str


class Honours(Schema):
    period: PeriodRef
    title: str
    issuer: str
    issued_on: date
    tables: list[RankTable]
    red: list[Listed]
    black: list[Listed]


class RunOut(Schema):
    proposed: int = Field(description="本次新增的建议条数(重复运行为 0)")
    proposal_ids: list[int]


# --- request bodies ------------------------------------------------------------------------------


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ConfirmIn(In):
    reason: LongText | None = Field(None, description="奖惩事由;不填则沿用建议的事由")
    doc_number: str = Field("", max_length=60, pattern=r"^[^\x00]*$", description="发文字号")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)


class DismissIn(In):
    reason: LongText = Field(description="不予采纳的理由(必填)")
    version: Id | None = Field(None, description=VERSION_DESCRIPTION)
