"""Reads of proposals and records, every one through the scope rule; the register page, its
Excel export and the API share `register`, the published list and its Word 通报 share `honours`.

Seeing: a proposal or record belongs to its unit (seen by whoever sees the unit); one naming
only a person is seen by whoever sees that person.  Pages check the verb first (`reward.view`
for the register, `reward.confirm` for proposals).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from chuangwen.evaluation.models import Period, PeriodStatus, RankGroup
from chuangwen.evaluation.selectors import ranking
from chuangwen.org.models import Unit, UnitKind
from chuangwen.org.selectors import people_visible_to, scope_roots, units_visible_to
from chuangwen.tasks.models import RewardKind

from .models import BLACK_KINDS, RED_KINDS, Proposal, ProposalStatus, Record, RuleRun, display_name


def _scoped(qs: QuerySet, user) -> QuerySet:
    roots = scope_roots(user)
    if roots is None:
        return qs
    if not roots:
        return qs.none()
    return qs.filter(Q(unit__in=units_visible_to(user))
                     | Q(unit__isnull=True, person__in=people_visible_to(user)))


def proposals_visible_to(user) -> QuerySet[Proposal]:
    return _scoped(Proposal.objects.all(), user)


def records_visible_to(user) -> QuerySet[Record]:
    return _scoped(Record.objects.all(), user)


def proposal_queue(user, *, status: str = ProposalStatus.PROPOSED, period: Period | None = None,
                   rule=None, kind: str = "") -> QuerySet[Proposal]:
    qs = proposals_visible_to(user).select_related("rule", "period", "task")
    if status:
        qs = qs.filter(status=status)
    if period is not None:
        qs = qs.filter(period=period)
    if rule is not None:
        qs = qs.filter(rule=rule)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def register(user, *, kind: str = "", unit: Unit | None = None, period: Period | None = None,
             year: int | None = None, q: str = "") -> QuerySet[Record]:
    """奖惩台账: the records `user` sees, filtered; `unit` takes its subtree."""
    qs = records_visible_to(user).select_related("period", "task", "confirmed_by", "proposal__rule")
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if period is not None:
        qs = qs.filter(period=period)
    if year is not None:
        qs = qs.filter(occurred_on__year=year)
    if q:
        qs = qs.filter(Q(unit_name__icontains=q) | Q(reason__icontains=q) | Q(doc_number__icontains=q))
    return qs


def runs_of(period: Period | None, *, limit: int = 20) -> QuerySet[RuleRun]:
    return RuleRun.objects.filter(period=period).select_related("ran_by").order_by("-ran_at", "-id")[:limit]


# --- the published 红黑榜 --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    rank: int
    unit_name: str
    score: Decimal
    board: str  # "red", "black" or ""


@dataclass(frozen=True)
class Table:
    group: str
    label: str
    rows: list[RankRow]


@dataclass(frozen=True)
class Listed:
    kind: str
    kind_label: str
    unit_name: str
    person_name: str  # the head's name for a confirmed 约谈 only
    reason: str
    doc_number: str


@dataclass
class Honours:
    period: Period
    issuer: str
    tables: list[Table] = field(default_factory=list)
    red: list[Listed] = field(default_factory=list)
    black: list[Listed] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"关于{self.period.label}创建全国文明城市工作考评排名及红黑榜的通报"

    @property
    def issued_on(self) -> date:
        finalised = self.period.finalised_at
        return timezone.localtime(finalised).date() if finalised else self.period.end


def public_periods() -> QuerySet[Period]:
    """The periods whose list is published: finalised ones only."""
    return Period.objects.filter(status=PeriodStatus.FINALISED).order_by("-end", "kind")


def published_records(period: Period) -> QuerySet[Record]:
    """A period's records on its published list: those of the period itself (its ranking rules),
    and task records without a period dated inside it."""
    return (Record.objects.filter(kind__in=(*RED_KINDS, *BLACK_KINDS))
            .filter(Q(period=period) | Q(period__isnull=True, occurred_on__gte=period.start,
                                         occurred_on__lte=period.end)))


_KIND_ORDER = {k: i for i, k in enumerate(RewardKind.values)}


def _issuer() -> str:
    hq = Unit.objects.filter(kind=UnitKind.HQ).order_by("path").values_list("name", flat=True).first()
    return hq or "创建全国文明城市指挥部办公室"


def _board(unit_id: int, red: set, black: set) -> str:
    return "red" if unit_id in red else "black" if unit_id in black else ""


def honours(period: Period) -> Honours:
    """What the public page and the Word 通报 show: the frozen ranking of each group and the
    confirmed records (nothing proposed, nothing dismissed), with no personal data beyond what
    a published 通报 carries (unit names; a head's name for a confirmed 约谈)."""
    if period.status != PeriodStatus.FINALISED:
        raise ValueError("honours() needs a finalised period")
    records = sorted(published_records(period), key=lambda r: (_KIND_ORDER[r.kind], r.unit_name, r.pk))
    red_units = {r.unit_id for r in records if r.kind in RED_KINDS and r.period_id == period.pk}
    black_units = {r.unit_id for r in records if r.kind in BLACK_KINDS and r.period_id == period.pk}
    result = Honours(period=period, issuer=_issuer())
    for group in RankGroup.values:
        entries = ranking(period, group)
        if not entries:
            continue
        rows = [RankRow(rank=e.rank, unit_name=display_name(e.unit_name or e.unit.full_name), score=e.score,
                        board=_board(e.unit_id, red_units, black_units)) for e in entries]
        result.tables.append(Table(group=group, label=RankGroup(group).label, rows=rows))
    for r in records:
        listed = Listed(kind=r.kind, kind_label=r.get_kind_display(), unit_name=display_name(r.unit_name),
                        person_name=r.person_name if r.kind == RewardKind.TALK else "", reason=r.reason,
                        doc_number=r.doc_number)
        (result.red if r.kind in RED_KINDS else result.black).append(listed)
    return result
