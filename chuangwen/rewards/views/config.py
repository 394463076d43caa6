"""HQ's rules page: the rules that propose, and the escalation ladder."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from chuangwen.org.permissions import can, require

from .. import services
from ..forms import RULE_EDIT_FIELDS, LadderForm, RuleForm
from ..models import Rule
from ..services.common import current_ladder
from ..services.config import LABELS
from .common import form_errors, run


@require_http_methods(["GET"])
def rules(request):
    require(request.user, "reward.view")
    ladder = current_ladder()
    return render(request, "rewards/rules.html", {
        "rules": Rule.objects.all(), "ladder": ladder,
        "ladder_labels": " → ".join(LABELS.get(k, k) for k in ladder.rungs),
        "ladder_form": LadderForm(initial=LadderForm.initial_for(ladder)),
        "can_confirm": can(request.user, "reward.confirm"), "sub": "rules",
    })


@require_http_methods(["GET", "POST"])
def rule_create(request):
    require(request.user, "reward.confirm")
    form = RuleForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rule = run(request, services.rule_create, code=d["code"], name=d["name"], trigger=d["trigger"],
                   **{k: d[k] for k in RULE_EDIT_FIELDS if k != "name"})
        if rule is not None:
            messages.success(request, f"已新增规则:{rule}。")
            return redirect("rewards:rules")
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    require(request.user, "reward.confirm")
    rule = get_object_or_404(Rule, pk=pk)
    form = RuleForm(request.POST or None, instance=rule, creating=False, initial={"version": rule.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run(request, services.rule_update, rule=rule, expected_version=d.get("version"),
                    **{k: d[k] for k in RULE_EDIT_FIELDS})
        if saved is not None:
            messages.success(request, f"已保存规则:{saved}。")
            return redirect("rewards:rules")
        rule.refresh_from_db()
    return _form_page(request, form, rule)


def _form_page(request, form, rule):
    context = {"form": form, "rule": rule, "sub": "rules", "can_confirm": True}
    return render(request, "rewards/rule_form.html", context, status=400 if request.method == "POST" else 200)


@require_POST
def ladder(request):
    require(request.user, "reward.confirm")
    form = LadderForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("rewards:rules")
    d = form.cleaned_data
    saved = run(request, services.ladder_update, rungs=form.rungs(), window_months=d["window_months"],
                is_active=d["is_active"], expected_version=d.get("version"))
    if saved is not None:
        messages.success(request, "已保存逐级升级规则。")
    return redirect("rewards:rules")
