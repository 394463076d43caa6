"""Deputies' visits: the records, recording one, and its page (findings → problems)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chuangwen.org.permissions import require

from .. import selectors, services
from ..forms import FindingForm, VisitForm
from ..models import VisitKind
from .common import base_context, form_errors, int_param, run, text_param, year_param


def visit_list(request):
    require(request.user, "supervision.view")
    year, q = year_param(request), text_param(request, "q")
    kind = text_param(request, "kind", 8)
    kind = kind if kind in VisitKind.values else ""
    data = selectors.visit_page(request.user, year=year, kind=kind, q=q, before=int_param(request, "before"))
    return render(request, "supervision/visit_list.html", {
        **base_context(request, "visits"), **data, "year": year, "kind": kind, "q": q,
        "kinds": VisitKind.choices})


def visit_new(request):
    require(request.user, "supervision.manage")
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        visit = run(request, services.visit_create, kind=d["kind"], date=d["date"], title=d["title"],
                    members=d["members"], member_people=d["member_accounts"], sites=d["sites"],
                    summary=d["summary"])
        if visit is not None:
            messages.success(request, "视察已登记,请登记发现的问题。")
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(request, "supervision/visit_form.html", {**base_context(request, "visits"), "form": form})


def _visit(request, pk):
    require(request.user, "supervision.view")
    return get_object_or_404(selectors.visits_visible_to(request.user), pk=pk)


def visit_detail(request, pk):
    visit = _visit(request, pk)
    context = base_context(request, "visits")
    context.update(visit=visit, findings=selectors.visit_findings(request.user, visit),
                   sites=list(selectors.visit_sites(request.user, visit)))
    if context["can_manage"]:
        context["finding_form"] = FindingForm(visit=visit)
    return render(request, "supervision/visit_detail.html", context)


@require_POST
def finding_add(request, pk):
    visit = _visit(request, pk)
    require(request.user, "supervision.manage")
    form = FindingForm(request.POST, request.FILES, visit=visit)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("supervision:visit_detail", pk=visit.pk)
    d = form.cleaned_data
    finding = run(request, services.finding_report, visit=visit, description=d["description"],
                  category=d["category"], severity=d["severity"], site=d.get("site"),
                  district=d.get("district"), address=d.get("address", ""), photos=d.get("photos") or [],
                  raised_by=d.get("raised_by", ""), assign_to=d.get("assign_to"))
    if finding is not None:
        messages.success(request, f"已登记第{finding.number}个问题,问题编号 {finding.problem.number}。")
    return redirect("supervision:visit_detail", pk=visit.pk)
