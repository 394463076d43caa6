"""奖惩台账: the register of issued rewards and penalties (filters, keyset pages, Excel), and one
record with the facts behind it.  Page and export call the same selector."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangwen.audit.log import record
from chuangwen.evaluation.models import Period, PeriodStatus
from chuangwen.lib.xlsx import workbook_response
from chuangwen.org.permissions import can, require
from chuangwen.tasks.models import RewardKind

from .. import selectors
from ..models import Record, display_name
from .common import is_id, register_filters

PAGE = 50
EXPORT_MAX = 10000


def _rows(request):
    f = register_filters(request)
    qs = Record.objects.none() if f.unit_missing else selectors.register(request.user, **f.selector_kwargs())
    return f, qs


@require_GET
def record_list(request):
    require(request.user, "reward.view")
    f, qs = _rows(request)
    after = request.GET.get("after", "")
    if is_id(after):
        qs = qs.filter(pk__lt=int(after))
    rows = list(qs.order_by("-id")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "rewards/records.html", {
        "records": rows, "next_after": rows[-1].pk if more else "", "f": f, "query": query.urlencode(),
        "kinds": RewardKind.choices, "periods": Period.objects.filter(status=PeriodStatus.FINALISED)[:36],
        "can_confirm": can(request.user, "reward.confirm"), "sub": "records",
    })


@require_GET
def record_detail(request, pk):
    require(request.user, "reward.view")
    rec = get_object_or_404(selectors.records_visible_to(request.user).select_related(
        "proposal__rule", "period", "task", "confirmed_by"), pk=pk)
    return render(request, "rewards/record_detail.html", {
        "rec": rec, "proposal": rec.proposal, "can_confirm": can(request.user, "reward.confirm"),
        "sub": "records"})


HEADER = ["发生日期", "单位", "人员", "奖惩方式", "事由", "发文字号", "考评周期", "任务编号", "规则", "确认人", "确认时间"]


@require_GET
def export(request):
    """The register as filtered on the page, as .xlsx (at most EXPORT_MAX rows, newest first)."""
    require(request.user, "reward.view")
    f, qs = _rows(request)
    rows = list(qs.order_by("-id")[:EXPORT_MAX])
    filters = {k: str(v) for k, v in f.selector_kwargs().items() if v not in ("", None)}
    record("reward.export", actor=request.user, object_type="rewards.record",
           changes={"rows": [None, len(rows)], "filters": [None, filters]})
    data = [[r.occurred_on, display_name(r.unit_name), r.person_name, r.get_kind_display(), r.reason,
             r.doc_number, r.period.label if r.period_id else "", r.task.code if r.task_id else "",
             r.proposal.rule.name, str(r.confirmed_by),
             timezone.localtime(r.confirmed_at).strftime("%Y-%m-%d %H:%M")] for r in rows]
    name = f"奖惩台账-{timezone.localdate():%Y%m%d}.xlsx"
    return workbook_response(name, [("奖惩台账", HEADER, data)])
