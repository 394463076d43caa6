"""Lists of problems: HQ's dispatch desk (with bulk assign and void), a unit's problems by tab,
all problems in scope by filters (what the metrics' figures link to), and the inspectors'
recheck queue.  Keyset-paged; every query starts from the scope."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from chuangwen.org.models import Unit
from chuangwen.org.permissions import can, require
from chuangwen.org.selectors import duty_units

from .. import selectors_pages as pages
from ..forms import DeskActionForm, NoteForm
from ..metrics import NO_DISTRICT, NO_UNIT
from ..models import DISPATCH_STATUSES, Category, ProblemStatus, Source
from ..selectors import list_related, problems_visible_to
from ..services.staff import problems_assign_many, problems_void_many
from .common import cursor, form_errors, page
from .metrics import parse_day

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
    tab_key = request.GET.get("tab", "")
    if tab_key == "all":
        return all_problems(request)
    units = duty_units(user)
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


def list_filter(params) -> tuple[pages.ListFilter, dict, list[str]]:
    """The list's filters from the query: the filter, the query that repeats it (for the next
    page and the form) and its description in words.  A ValidationError with a Chinese message
    for a value that cannot be read."""
    errors, labels, query = [], [], {}

    def unit(name: str, label: str, none_label: str):
        raw = params.get(name, "").strip()[:32]
        if not raw:
            return None, False
        query[name] = raw
        if raw == pages.NONE:
            labels.append(f"{label}:{none_label}")
            return None, True
        found = Unit.objects.filter(code=raw).first()
        if found is None:
            errors.append(f"找不到编码为“{raw}”的{label}。")
        else:
            labels.append(f"{label}:{found.name}")
        return found, False

    def day(name: str, label: str):
        raw = params.get(name, "").strip()
        if not raw:
            return None
        query[name] = raw
        try:
            return parse_day(raw, label)
        except ValidationError as exc:
            errors.extend(exc.messages)
            return None

    responsible, no_unit = unit("unit", "责任单位", NO_UNIT)
    district, no_district = unit("district", "区县", NO_DISTRICT)
    code = params.get("category", "").strip()[:20]
    category = Category.objects.filter(code=code).first() if code else None
    if code:
        query["category"] = code
        if category is None:
            errors.append(f"找不到编码为“{code}”的问题类别。")
        else:
            labels.append(f"类别:{category.name}")
    status = params.get("status", "").strip()
    if status:
        query["status"] = status
        if status in pages.STATUS_SETS:
            labels.append(f"状态:{pages.STATUS_SETS[status][0]}")
        elif status in ProblemStatus.values:
            labels.append(f"状态:{ProblemStatus(status).label}")
        else:
            errors.append("状态不正确。")
    basis = params.get("date", "").strip()
    start, end = day("from", "开始日期"), day("to", "结束日期")
    if basis:
        query["date"] = basis
        if basis not in pages.DATE_FIELDS:
            errors.append("日期口径只能是上报、交办、销号日期或整改时限。")
    if (start or end) and not basis:
        errors.append("按日期筛选须选择日期口径(上报、交办、销号日期或整改时限)。")
    if start and end and start > end:
        errors.append("开始日期不能晚于结束日期。")
    if basis in pages.DATE_FIELDS and (start or end):
        labels.append(f"{pages.DATE_FIELDS[basis][1]}:{start or '不限'} 至 {end or '不限'}")
    flags = {}
    for name, label in (("on_time", "按期销号"), ("overdue", "已过整改时限")):
        flags[name] = params.get(name, "") == "1"
        if flags[name]:
            query[name] = "1"
            labels.append(label)
    if errors:
        raise ValidationError(errors)
    f = pages.ListFilter(unit=responsible, no_unit=no_unit, district=district, no_district=no_district,
                         category=category, status=status, basis=basis if (start or end) else "", start=start,
                         end=end, **flags)
    return f, query, labels


def all_problems(request):
    """全部问题: the problems of the units and districts in the person's scope, filtered by unit,
    district, category, status, a date (reported, assigned, closed or due) and on-time or
    overdue; what each figure of the metrics page links to."""
    try:
        f, query, labels = list_filter(request.GET)
    except ValidationError as exc:
        return page(request, "problems/problem_list.html", {"errors": exc.messages, "query": ""}, status=400)
    data = pages.problem_list(request.user, f, before=cursor(request, "before"))
    data.update(
        labels=labels, query=urlencode(query), values=query, none=pages.NONE,
        categories=pages.category_groups(active_only=False), districts=pages.district_choices(),
        date_fields=[(k, v[1]) for k, v in pages.DATE_FIELDS.items()],
        statuses=[*((k, v[0]) for k, v in pages.STATUS_SETS.items()), *ProblemStatus.choices],
    )
    return page(request, "problems/problem_list.html", data)


def recheck(request):
    """The inspectors' queue, made for a phone on site: photos first, two big buttons."""
    require(request.user, "problem.recheck")
    data = pages.recheck_queue(request.user, after=cursor(request, "after"))
    data["note_form"] = NoteForm()
    return page(request, "problems/recheck.html", data)
