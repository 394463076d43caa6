"""Evaluation pages: periods, a period's rankings by group, a unit's score card with the records
behind each figure, and HQ's weights and rules.  Thin: scope through the selectors, changes
through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chuangwen.org.models import Unit
from chuangwen.org.permissions import require

from . import drilldown, selectors, services
from .config import rules_in_force, weights_in_force
from .forms import PeriodForm, RuleForm, WeightsForm
from .groups import group_of
from .models import PeriodKind, PeriodStatus, RankGroup, RuleCode
from .scoring import BY_CODE

RULE_HELP = {
    RuleCode.BASE: "每个单位每期的起始分。",
    RuleCode.CITY_PROBLEM: "市级督查、模拟测评发现的问题,每个扣分;当场整改的按“当场整改分值”扣。",
    RuleCode.DISTRICT_PROBLEM: "区县、街道督查发现的问题,每个扣分;当场整改的按“当场整改分值”扣。",
    RuleCode.CLEAN_SITE: "市级检查中无问题的点位,每个加分(暂无检查结果数据,本项不计)。",
}


def _run(request, func, **kwargs):
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None


def _period(request, pk):
    require(request.user, "evaluation.view")
    return get_object_or_404(selectors.periods_visible_to(request.user), pk=pk)


def _unit(request, code: str) -> Unit:
    if "\x00" in code or len(code) > 32:
        raise Http404
    return get_object_or_404(selectors.card_units_visible_to(request.user), code=code)


def period_list(request):
    require(request.user, "evaluation.view")
    periods = list(selectors.periods_visible_to(request.user).select_related("finalised_by")[:120])
    return render(request, "evaluation/period_list.html", {
        "periods": periods, "can_manage": selectors.can_manage(request.user), "form": PeriodForm(),
    })


@require_POST
def period_create(request):
    require(request.user, "evaluation.manage")
    form = PeriodForm(request.POST)
    if form.is_valid():
        period = _run(request, services.period_create, **form.cleaned_data)
        if period is not None:
            messages.success(request, f"考评周期“{period.label}”已创建。")
            return redirect("evaluation:period", pk=period.pk)
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("evaluation:periods")


def period_detail(request, pk):
    period = _period(request, pk)
    group = request.GET.get("group", RankGroup.DISTRICT)
    if group not in RankGroup.values:
        group = RankGroup.DISTRICT
    entries = selectors.ranking(period, group, request.user)
    visible = set(selectors.card_units_visible_to(request.user).filter(pk__in=[e.unit_id for e in entries])
                  .values_list("id", flat=True))
    codes = dict(Unit.objects.filter(pk__in=visible).values_list("id", "code"))
    rows = [(e, codes.get(e.unit_id)) for e in entries]
    return render(request, "evaluation/period_detail.html", {
        "period": period, "group": group, "groups": RankGroup.choices, "rows": rows,
        "can_manage": selectors.can_manage(request.user), "open": period.status == PeriodStatus.OPEN,
        "kind_label": PeriodKind(period.kind).label,
    })


@require_POST
def period_finalise(request, pk):
    require(request.user, "evaluation.manage")
    period = _period(request, pk)
    raw = request.POST.get("version", "")
    done = _run(request, services.period_finalise, period=period,
                expected_version=int(raw) if raw.isdigit() else None)
    if done is not None:
        messages.success(request, f"“{done.label}”已定榜,排名已固定。")
    return redirect("evaluation:period", pk=period.pk)


def unit_card(request, pk, code):
    period = _period(request, pk)
    unit = _unit(request, code)
    card = selectors.score_card(period, unit)
    return render(request, "evaluation/unit_card.html", {
        "period": period, "unit": unit, "card": card, "group": group_of(unit.kind),
        "group_label": RankGroup(group_of(unit.kind)).label if group_of(unit.kind) else "",
    })


def unit_records(request, pk, code, kind):
    period = _period(request, pk)
    unit = _unit(request, code)
    if kind not in drilldown.KINDS:
        raise Http404
    card = selectors.score_card(period, unit)
    if card.entry is None:
        raise Http404
    listing = drilldown.card_records(period, unit, card, kind)
    return render(request, "evaluation/unit_records.html", {
        "period": period, "unit": unit, "card": card, "kind": kind, "listing": listing, "rows": listing.rows,
        "part": listing.part, "title": "规则积分" if kind == drilldown.RULES else BY_CODE[kind].label,
        "is_rules": kind == drilldown.RULES,
    })


def weights(request):
    require(request.user, "evaluation.view")
    in_force = weights_in_force()
    rules = rules_in_force()
    groups = []
    for g, label in RankGroup.choices:
        w = in_force[g]
        form = WeightsForm(initial={"version": w.version if w.pk else 0,
                                    **{f"w_{k}": v for k, v in w.weights().items()},
                                    "component_share": w.component_share,
                                    "include_subtree": w.include_subtree},
                           prefix=g)
        labelled = [(BY_CODE[k].label, v) for k, v in w.weights().items()]
        groups.append({"code": g, "label": label, "row": w, "form": form, "labelled": labelled})
    rule_forms = []
    for code, label in RuleCode.choices:
        r = rules[code]
        rule_forms.append({"code": code, "label": label, "row": r, "help": RULE_HELP[code],
                           "form": RuleForm(initial={"version": r.version if r.pk else 0,
                                                     "points": r.points, "on_spot_points": r.on_spot_points,
                                                     "is_active": r.is_active}, prefix=code),
                           "has_spot": code in (RuleCode.CITY_PROBLEM, RuleCode.DISTRICT_PROBLEM)})
    return render(request, "evaluation/weights.html", {
        "groups": groups, "rules": rule_forms, "can_manage": selectors.can_manage(request.user),
    })


def _form_messages(request, form):
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields and form.fields[name].label else ""
        for e in errors:
            messages.error(request, f"{label}:{e}" if label else e)


@require_POST
def weights_save(request):
    require(request.user, "evaluation.manage")
    group = request.POST.get("group", "")
    if group not in RankGroup.values:
        messages.error(request, "请选择排名组。")
        return redirect("evaluation:weights")
    form = WeightsForm(request.POST, prefix=group)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        row = _run(request, services.weights_update, group=group, expected_version=version, **data)
        if row is not None:
            messages.success(request, f"{RankGroup(group).label}的权重已保存。")
    else:
        _form_messages(request, form)
    return redirect("evaluation:weights")


@require_POST
def rule_save(request):
    require(request.user, "evaluation.manage")
    code = request.POST.get("code", "")
    if code not in RuleCode.values:
        messages.error(request, "未知的积分规则。")
        return redirect("evaluation:weights")
    form = RuleForm(request.POST, prefix=code)
    if form.is_valid():
        data = dict(form.cleaned_data)
        row = _run(request, services.rule_update, code=code, expected_version=data.pop("version"), **data)
        if row is not None:
            messages.success(request, f"“{RuleCode(code).label}”已保存。")
    else:
        _form_messages(request, form)
    return redirect("evaluation:weights")
