"""Rewards and penalties (奖惩): proposals, the register, the published list, running the rules.

Each endpoint is an adapter: the verb (`reward.view` for the register and the published list,
`reward.confirm` for proposals and running the rules), the object through the scope rule (out
of scope is 404, never 403), then one service, which says no in Chinese (422) when the move is
not legal now; a stale `version` is 409.  The register, its page and its Excel export call the
same selector, as do the published list, its public page and its Word 通报.
"""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router

from chuangwen.evaluation.models import Period
from chuangwen.org.models import Unit
from chuangwen.org.permissions import require
from chuangwen.org.selectors import units_visible_to
from chuangwen.rewards import selectors, services

from . import rewards_schemas as schemas
from . import rewards_serializers as serializers
from .common import ERRORS, WRITE_ERRORS, Id, PageParams, Text, path_id
from .pagination import page

router = Router(tags=["奖惩"])

PROPOSAL_RELATED = ("rule", "unit", "period", "task", "record")
RECORD_RELATED = ("proposal__rule", "unit", "period", "task", "confirmed_by")


def _subtree_path(code: str) -> str | None:
    return Unit.objects.filter(code=code).values_list("path", flat=True).first()


def _visible_proposal(user, id: int):
    qs = selectors.proposals_visible_to(user).select_related(*PROPOSAL_RELATED)
    return get_object_or_404(qs, pk=path_id(id))


# --- proposals -----------------------------------------------------------------------------------


@router.get("/rewards/proposals", response={200: schemas.ProposalPage, **ERRORS}, summary="奖惩建议列表",
            description="按 id 排序。默认全部状态;`unit` 含该单位的全部下级单位。")
def list_proposals(request, params: Query[PageParams], status: schemas.ProposalStatusValue | None = None,
                   kind: schemas.KindValue | None = None, period: Id | None = None, unit: Text | None = None):
    require(request.user, "reward.confirm")
    qs = selectors.proposals_visible_to(request.user).select_related(*PROPOSAL_RELATED)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if period is not None:
        qs = qs.filter(period_id=period)
    if unit:
        path = _subtree_path(unit)
        qs = qs.filter(unit__path__startswith=path) if path else qs.none()
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.proposal)


@router.get("/rewards/proposals/{id}", response={200: schemas.Proposal, **ERRORS}, summary="奖惩建议详情")
def get_proposal(request, id: int):
    require(request.user, "reward.confirm")
    return serializers.proposal(_visible_proposal(request.user, id))


@router.post("/rewards/proposals/{id}/confirm", response={200: schemas.Record, **WRITE_ERRORS},
             summary="确认奖惩建议", description="确认后形成奖惩记录并返回;可修改事由、填写发文字号。")
def confirm_proposal(request, id: int, payload: schemas.ConfirmIn | None = None):
    require(request.user, "reward.confirm")
    payload = payload or schemas.ConfirmIn()
    proposal = _visible_proposal(request.user, id)
    rec = services.proposal_confirm(proposal=proposal, actor=request.user, reason=payload.reason,
                                    doc_number=payload.doc_number, expected_version=payload.version)
    return serializers.record(selectors.records_visible_to(request.user).select_related(*RECORD_RELATED)
                              .get(pk=rec.pk))


@router.post("/rewards/proposals/{id}/dismiss", response={200: schemas.Proposal, **WRITE_ERRORS},
             summary="不予采纳奖惩建议", description="须填写理由;不予采纳的建议不会被规则再次提出。")
def dismiss_proposal(request, id: int, payload: schemas.DismissIn):
    require(request.user, "reward.confirm")
    proposal = _visible_proposal(request.user, id)
    services.proposal_dismiss(proposal=proposal, actor=request.user, reason=payload.reason,
                              expected_version=payload.version)
    return serializers.proposal(_visible_proposal(request.user, id))


# --- running the rules ---------------------------------------------------------------------------


@router.post("/rewards/periods/{id}/propose", response={200: schemas.RunOut, **WRITE_ERRORS},
             summary="按排名规则提出建议", description="考评周期须已定榜;重复运行不会重复提出。")
def propose_for_period(request, id: int):
    require(request.user, "reward.confirm")
    period = get_object_or_404(Period, pk=path_id(id))
    result = services.propose_for_period(period=period, actor=request.user)
    return {"proposed": len(result.proposals), "proposal_ids": [p.pk for p in result.proposals]}


@router.post("/rewards/tasks/propose", response={200: schemas.RunOut, **WRITE_ERRORS},
             summary="按任务规则提出建议", description="任务定奖惩规则和严重逾期规则;重复运行不会重复提出。")
def propose_for_tasks(request):
    require(request.user, "reward.confirm")
    result = services.propose_for_tasks(actor=request.user)
    return {"proposed": len(result.proposals), "proposal_ids": [p.pk for p in result.proposals]}


# --- the register and the published list ---------------------------------------------------------


@router.get("/rewards/records", response={200: schemas.RecordPage, **ERRORS}, summary="奖惩台账",
            description="按 id 排序。`unit` 含该单位的全部下级单位;`year` 按发生日期的年度。")
def list_records(request, params: Query[PageParams], kind: schemas.KindValue | None = None,
                 period: Id | None = None, unit: Text | None = None,
                 year: Annotated[int, Field(ge=2000, le=2100)] | None = None, q: Text | None = None):
    require(request.user, "reward.view")
    unit_obj = None
    if unit:
        unit_obj = units_visible_to(request.user).filter(code=unit).first()
        if unit_obj is None:
            return {"items": [], "next": None}
    period_obj = Period.objects.filter(pk=period).first() if period is not None else None
    if period is not None and period_obj is None:
        return {"items": [], "next": None}
    qs = selectors.register(request.user, kind=kind or "", unit=unit_obj, period=period_obj, year=year,
                            q=(q or "").strip()).select_related(*RECORD_RELATED)
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.record)


@router.get("/rewards/records/{id}", response={200: schemas.Record, **ERRORS}, summary="奖惩记录详情")
def get_record(request, id: int):
    require(request.user, "reward.view")
    qs = selectors.records_visible_to(request.user).select_related(*RECORD_RELATED)
    return serializers.record(get_object_or_404(qs, pk=path_id(id)))


@router.get("/rewards/periods/{id}/honours", response={200: schemas.Honours, **ERRORS}, summary="红黑榜",
            description="已定榜周期的考评排名(定榜快照)和经确认的红榜、黑榜,与公开页面和通报相同。")
def get_honours(request, id: int):
    require(request.user, "reward.view")
    period = get_object_or_404(selectors.public_periods(), pk=path_id(id))
    return serializers.honours(selectors.honours(period))
