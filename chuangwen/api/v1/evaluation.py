"""Evaluation (考评): periods, rankings, score cards and the records behind them, weights and
rules.

Who sees what follows the pages (evaluation.selectors): every business role with
`evaluation.view` reads the periods and the rankings of every group (unit, score, rank); a score
card and its records only for a unit in the caller's scope (otherwise 404).  Writes need
`evaluation.manage` (HQ): create a period, finalise it (定榜, once; a stale `version` is 409),
edit a group's weights or a rule (version-checked).  The figures are the pages' figures: the
same selectors and the same rounding.
"""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from chuangwen.evaluation import drilldown, selectors, services
from chuangwen.evaluation.config import rules_in_force, weights_in_force
from chuangwen.evaluation.groups import group_of
from chuangwen.evaluation.models import Period, PeriodKind, PeriodStatus, RankGroup, RuleCode
from chuangwen.org.models import Unit
from chuangwen.org.permissions import require

from . import evaluation_schemas as schemas
from .common import ERRORS, WRITE_ERRORS, PageParams, path_id, path_key
from .pagination import page

router = Router(tags=["考评"])


def _num(value) -> float | None:
    return None if value is None else float(value)


def _period_out(p: Period) -> dict:
    return {"id": p.pk, "kind": p.kind, "kind_label": PeriodKind(p.kind).label, "start": p.start,
            "end": p.end, "label": p.label, "status": p.status, "status_label": PeriodStatus(p.status).label,
            "finalised_at": p.finalised_at,
            "finalised_by": p.finalised_by.full_name if p.finalised_by else None, "version": p.version}


def _period(user, id: int) -> Period:
    require(user, "evaluation.view")
    qs = selectors.periods_visible_to(user).select_related("finalised_by")
    return get_object_or_404(qs, pk=path_id(id))


def _unit(user, code: str) -> Unit:
    return get_object_or_404(selectors.card_units_visible_to(user), code=path_key(code))


@router.get("/evaluation/periods", response={200: schemas.PeriodPage, **ERRORS}, summary="考评周期列表",
            description="按创建先后排序。")
def list_periods(request, params: Query[PageParams], kind: schemas.KindValue | None = None,
                 status: schemas.StatusValue | None = None):
    require(request.user, "evaluation.view")
    qs = selectors.periods_visible_to(request.user).select_related("finalised_by")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=_period_out)


@router.post("/evaluation/periods", response={201: schemas.Period, **WRITE_ERRORS}, summary="新建考评周期")
def create_period(request, payload: schemas.PeriodIn):
    require(request.user, "evaluation.manage")
    period = services.period_create(kind=payload.kind, start=payload.start, actor=request.user)
    return Status(201, _period_out(period))


@router.get("/evaluation/periods/{id}", response={200: schemas.Period, **ERRORS}, summary="考评周期详情")
def get_period(request, id: int):
    return _period_out(_period(request.user, id))


@router.post("/evaluation/periods/{id}/finalise", response={200: schemas.Period, **WRITE_ERRORS},
             summary="定榜", description="计算全部参加排名的单位并固定排名;定榜后不能撤销,权重的后续修改不影响本期。")
def finalise_period(request, id: int, payload: schemas.FinaliseIn | None = None):
    require(request.user, "evaluation.manage")
    period = _period(request.user, id)
    done = services.period_finalise(period=period, actor=request.user,
                                    expected_version=(payload.version if payload else None))
    return _period_out(Period.objects.select_related("finalised_by").get(pk=done.pk))


@router.get("/evaluation/periods/{id}/rankings/{group}", response={200: schemas.Ranking, **ERRORS},
            summary="排名", description="一个排名组的全部单位,按名次、单位层级排序。所有业务角色可查看。")
def get_ranking(request, id: int, group: schemas.GroupValue):
    period = _period(request.user, id)
    entries = selectors.ranking(period, group, request.user)
    codes = dict(Unit.objects.filter(pk__in=[e.unit_id for e in entries]).values_list("id", "code"))
    items = [{"rank": e.rank, "unit": {"code": codes[e.unit_id], "name": e.unit_name},
              "score": float(e.score), "weighted_score": _num(e.weighted_score),
              "rule_points": float(e.rule_points)} for e in entries]
    return {"period": _period_out(period), "group": group, "group_label": RankGroup(group).label,
            "frozen": period.is_finalised, "items": items}


@router.get("/evaluation/periods/{id}/units/{code}", response={200: schemas.ScoreCard, **ERRORS},
            summary="单位考评得分", description="指标、实际权重、规则积分与近期走势;限本人职责范围内的单位。")
def get_card(request, id: int, code: str):
    period = _period(request.user, id)
    unit = _unit(request.user, code)
    card = selectors.score_card(period, unit)
    e, f = card.entry, card.formula
    out = {"period": _period_out(period), "unit": {"code": unit.code, "name": unit.name},
           "group": group_of(unit.kind), "ranked": e is not None, "frozen": period.is_finalised,
           "group_size": card.group_size, "left_out": card.left_out, "component_share": f.get("share"),
           "rule_base": f.get("base"), "include_subtree": f.get("include_subtree"),
           "score": None, "rank": None, "weighted_score": None, "rule_points": None}
    if e is not None:
        out.update(score=_num(e.score), rank=e.rank, weighted_score=_num(e.weighted_score),
                   rule_points=_num(e.rule_points))
    out["components"] = [{k: p[k] for k in schemas.Part.model_fields} for p in card.parts]
    out["rules"] = [{k: r[k] for k in schemas.RuleLine.model_fields} for r in card.rules]
    out["trend"] = [{"period_id": t["period"].pk, "label": t["label"], "score": float(t["score"]),
                     "rank": t["rank"]} for t in card.trend]
    return out


@router.get("/evaluation/periods/{id}/units/{code}/records/{kind}", response={200: schemas.Records, **ERRORS},
            summary="得分依据", description="某项指标(或 rules:规则积分)背后的每一条记录及其贡献。")
def get_records(request, id: int, code: str, kind: schemas.RecordKindValue):
    period = _period(request.user, id)
    unit = _unit(request.user, code)
    card = selectors.score_card(period, unit)
    if card.entry is None:
        return {"kind": kind, "numerator": 0, "denominator": 0, "frozen_numerator": None,
                "frozen_denominator": None, "truncated": False, "items": []}
    listing = drilldown.card_records(period, unit, card, kind)
    frozen = listing.frozen or (None, None)
    return {"kind": kind, "numerator": listing.listed[0], "denominator": listing.listed[1],
            "frozen_numerator": frozen[0], "frozen_denominator": frozen[1], "truncated": listing.truncated,
            "items": [{**vars(r), "points": _num(r.points)} for r in listing.rows]}


def _config() -> dict:
    weights = []
    for g, w in weights_in_force().items():
        weights.append({"group": g, "group_label": RankGroup(g).label,
                        **{f"w_{k}": v for k, v in w.weights().items()}, "component_share": w.component_share,
                        "include_subtree": w.include_subtree, "version": w.version if w.pk else 0})
    rules = [{"code": c, "label": RuleCode(c).label, "points": float(r.points),
              "on_spot_points": _num(r.on_spot_points), "is_active": r.is_active,
              "version": r.version if r.pk else 0} for c, r in rules_in_force().items()]
    return {"weights": weights, "rules": rules}


@router.get("/evaluation/config", response={200: schemas.Config, **ERRORS}, summary="考评权重与积分规则")
def get_config(request):
    require(request.user, "evaluation.view")
    return _config()


@router.post("/evaluation/weights/{group}", response={200: schemas.Config, **WRITE_ERRORS}, summary="修改排名组权重",
             description="五项权重之和应为 100;`version` 为读取时的版本(默认值为 0),过期返回 409。")
def set_weights(request, group: schemas.GroupValue, payload: schemas.WeightsIn):
    require(request.user, "evaluation.manage")
    data = payload.model_dump()
    services.weights_update(group=group, actor=request.user, expected_version=data.pop("version"), **data)
    return _config()


@router.post("/evaluation/rules/{code}", response={200: schemas.Config, **WRITE_ERRORS}, summary="修改积分规则")
def set_rule(request, code: schemas.RuleValue, payload: schemas.RuleIn):
    require(request.user, "evaluation.manage")
    services.rule_update(code=code, actor=request.user, expected_version=payload.version,
                         points=payload.points, on_spot_points=payload.on_spot_points,
                         is_active=payload.is_active)
    return _config()
