"""Request and response shapes of the evaluation endpoints (考评).

Request bodies refuse unknown fields (422): a client names only what the service takes."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from chuangwen.evaluation.drilldown import KINDS
from chuangwen.evaluation.models import PeriodKind, PeriodStatus, RankGroup, RuleCode

KindValue = Literal[tuple(PeriodKind.values)]
StatusValue = Literal[tuple(PeriodStatus.values)]
GroupValue = Literal[tuple(RankGroup.values)]
RuleValue = Literal[tuple(RuleCode.values)]
RecordKindValue = Literal[tuple(KINDS)]


class UnitRef(Schema):
    code: str
    name: str


class Period(Schema):
    id: int
    kind: KindValue
    kind_label: str
    start: date
    end: date = Field(description="结束日期(含当日)")
    label: str
    status: StatusValue
    status_label: str
    finalised_at: datetime | None
    finalised_by: str | None = Field(description="定榜人姓名")
    version: int = Field(description="乐观锁版本号;定榜时带上它,过期则返回 409")


class PeriodPage(Schema):
    items: list[Period]
    next: str | None


class PeriodIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: KindValue
    start: date = Field(description="月度为当月1日;季度为1、4、7、10月1日;年度为1月1日")


class FinaliseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(None, ge=1, le=2**31)


class RankRow(Schema):
    rank: int = Field(description="名次:并列同分名次相同,下一名次顺延(1、2、2、4)")
    unit: UnitRef
    score: float = Field(description="综合得分")
    weighted_score: float | None = Field(description="指标得分(0–100)")
    rule_points: float = Field(description="规则积分")


class Ranking(Schema):
    period: Period
    group: GroupValue
    group_label: str
    frozen: bool = Field(description="true:定榜快照;false:考评中,实时计算")
    items: list[RankRow]


class Part(Schema):
    code: str
    label: str
    numerator: int
    denominator: int
    numerator_label: str
    denominator_label: str
    rate: float | None = Field(description="指标值(0–1);返工率为返工比例,越低越好")
    value: float | None = Field(description="得分率(0–1);返工率为 1 − 返工率")
    inverse: bool
    weight: float = Field(description="设定权重")
    weight_used: float = Field(description="实际权重(0–1),无数据的指标不计入,其余按比例放大")
    points: float = Field(description="本项得分(指标得分中的分数)")
    left_out: bool
    note: str


class RuleLine(Schema):
    code: str
    label: str
    count: int
    on_spot: int = Field(description="其中当场整改的个数")
    points: float
    no_data: bool = Field(description="true:暂无数据来源,本项不计")


class TrendPoint(Schema):
    period_id: int
    label: str
    score: float
    rank: int


class ScoreCard(Schema):
    period: Period
    unit: UnitRef
    group: GroupValue | None
    ranked: bool = Field(description="false:该单位本期无考评数据或不参加排名")
    frozen: bool
    score: float | None
    rank: int | None
    group_size: int
    weighted_score: float | None
    rule_points: float | None
    component_share: float | None = Field(description="指标得分在综合得分中的占比(0–1)")
    rule_base: float | None
    include_subtree: bool | None
    left_out: list[str]
    components: list[Part]
    rules: list[RuleLine]
    trend: list[TrendPoint] = Field(description="近期同类周期的得分与名次(早的在前)")


class Record(Schema):
    kind: Literal["task", "problem"]
    key: str = Field(description="任务编号或问题编号")
    title: str
    unit: str
    detail: str
    numerator: int
    denominator: int
    points: float | None


class Records(Schema):
    kind: RecordKindValue
    numerator: int
    denominator: int
    frozen_numerator: int | None
    frozen_denominator: int | None
    truncated: bool
    items: list[Record]


class Weights(Schema):
    group: GroupValue
    group_label: str
    w_tasks: int
    w_problem_on_time: int
    w_rework: int
    w_handover: int
    w_mock: int
    component_share: int
    include_subtree: bool
    version: int = Field(description="0 表示仍为默认值")


class Rule(Schema):
    code: RuleValue
    label: str
    points: float
    on_spot_points: float | None
    is_active: bool
    version: int = Field(description="0 表示仍为默认值")


class Config(Schema):
    weights: list[Weights]
    rules: list[Rule]


class WeightsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0, le=2**31)
    w_tasks: int = Field(ge=0, le=100)
    w_problem_on_time: int = Field(ge=0, le=100)
    w_rework: int = Field(ge=0, le=100)
    w_handover: int = Field(ge=0, le=100)
    w_mock: int = Field(ge=0, le=100)
    component_share: int = Field(ge=0, le=100)
    include_subtree: bool = False


class RuleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0, le=2**31)
    points: float = Field(ge=-1000, le=1000)
    on_spot_points: float | None = Field(None, ge=-1000, le=1000)
    is_active: bool = True
