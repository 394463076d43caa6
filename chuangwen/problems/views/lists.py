"""Lists of problems: HQ's dispatch desk (with bulk assign and void), a unit's problems by tab,
and the inspectors' recheck queue.  Keyset-paged; every query starts from the scope."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from chuangwen.org.models import Unit
from chuangwen.org.permissions import can, require
from chuangwen.org.selectors import duty_units

from .. import selectors_pages as pages
from ..forms import DeskActionForm, NoteForm
from ..models import DISPATCH_STATUSES, Category, Source
from ..selectors import list_related, problems_visible_to
from ..services.staff import problems_assign_many, problems_void_many
from .common import page, cursor, form_errors

FILTERS = ("category", "district", "source")


def _filters(request) -> dict:
    """The desk's filters from the query (or the bulk form's hidden copies), as objects."""
    data = request.GET if request.method == "GET" else request.POST
    code = data.get("category", "")[:20]
    district = data.get("district", "")[:32]
    source = data.get("source", "")
    return {
        "category": Category.objects.filter(code=code).first() if code else None,
        "district": Unit.objects.filter(code=district).first() if district else None,
        "source": source if source in Source.values else "",
    }


def _filter_query(f: dict) -> dict:
    return {k: v for k, v in (("category", f["category"].code if f["category"] else ""),
                              ("district", f["district"].code if f["district"] else ""),
                              ("source", f["source"])) if v}


def desk(request):
    require(request.user, "problem.dispatch")
    f = _filters(request)
    data = pages.desk(request.user, **f, before=cursor(request, "before"))
    query = _filter_query(f)
    data.update(
        filters=f, query=urlencode(query), filter_values=query, categories=pages.category_groups(active_only=False),
        districts=pages.district_choices(), sources=Source.choices,
    )
    return page(request, "problems/desk.html", data)


@require_POST
def desk_act(request):
    """Bulk 交办 (to each problem's suggestion, or to one unit) or 作废 with one reason.  Row by
    row: refusals are listed, the other rows proceed (services.staff._each)."""
    require(request.user, "problem.dispatch")
    back = redirect(f"{reverse('problems:desk')}?{urlencode(_filter_query(_filters(request)))}")
    form = DeskActionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back
    ids = form.cleaned_data["ids"]
    found = list(list_related(problems_visible_to(request.user))
                 .filter(pk__in=ids, status__in=DISPATCH_STATUSES).order_by("id"))
    gone = len(set(ids)) - len(found)
    if gone:
        messages.warning(request, f"有 {gone} 件问题已不在待交办状态(可能已被他人办理),未作处理。")
    op = request.POST.get("op")
    if op == "void":
        reason = form.cleaned_data.get("reason", "").strip()
        if not reason:
            messages.error(request, "作废须填写理由。")
            return back
        result = problems_void_many(problems=found, actor=request.user, reason=reason)
        verb = "作废"
    elif op == "assign":
        result = problems_assign_many(problems=found, actor=request.user, unit=form.cleaned_data.get("unit"),
                                      versions=form.versions())
        verb = "交办"
    else:
        messages.error(request, "请选择操作。")
        return back
    if result.done:
        messages.success(request, f"已{verb} {len(result.done)} 件问题。")
    for problem, why in result.refused:
        messages.error(request, f"{problem.number} 未{verb}:{why}")
    return back


def my_problems(request):
    """本单位问题: the problems of the units the person is head or liaison of, by tab; and the
    problems they reported.  HQ lands on the desk, inspectors without a duty unit on the recheck
    queue (the tabs stay one click away)."""
    require(request.user, "problem.view")
    user = request.user
    units = duty_units(user)
    tab_key = request.GET.get("tab", "")
    if not tab_key:
        if can(user, "problem.dispatch"):  # HQ's work is the desk (its own office rarely owes a fix)
            return redirect("problems:desk")
        if not units and can(user, "problem.recheck"):
            return redirect("problems:recheck")
        tab_key = "pending" if units else "reported"
    before = cursor(request, "before")
    if tab_key == "reported":
        data = pages.reported_by(user, before=before)
        tab = None
    else:
        tab = pages.TABS_BY_KEY.get(tab_key) or pages.UNIT_TABS[0]
        tab_key = tab.key
        data = pages.unit_problems(user, tab=tab, before=before)
    data.update(
        tabs=pages.UNIT_TABS, tab_key=tab_key, has_units=bool(units), counts=pages.unit_tab_counts(user),
        overdue=pages.overdue_count(user), unit_names=list(Unit.objects.filter(pk__in=list(units)).values_list(
            "name", flat=True)) if units else [],
    )
    return page(request, "problems/my_problems.html", data)


def recheck(request):
    """The inspectors' queue, made for a phone on site: photos first, two big buttons."""
    require(request.user, "problem.recheck")
    data = pages.recheck_queue(request.user, after=cursor(request, "after"))
    data["note_form"] = NoteForm()
    return page(request, "problems/recheck.html", data)
