"""The auditor's pages: the audit log, one entry, the export and the chain check (verb
audit.read, and nothing else)."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit import chain
from chuangwen.audit.log import record
from chuangwen.audit.models import Entry, Outcome
from chuangwen.lib.xlsx import workbook_response

from .. import selectors
from ..forms import AuditFilterForm

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = (
    "序号", "时间", "事件", "事件名称", "结果", "操作人", "角色", "单位", "客户端地址", "对象类型", "对象ID", "对象",
    "变更", "请求号",
)


def _cursor(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def log(request):
    require_verb(request.user, "audit.read")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    page = selectors.audit_page(
        filters, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after")),
    )
    return render(request, "console/audit/log.html", {
        "form": form, "page": page, "query": form.query_items(), "outcomes": dict(Outcome.choices),
    })


def entry(request, seq):
    require_verb(request.user, "audit.read")
    item = get_object_or_404(Entry, seq=seq)
    return render(request, "console/audit/entry.html", {
        "entry": item, "changes": selectors.change_rows(item.changes),
        "outcome_label": dict(Outcome.choices).get(item.outcome, item.outcome),
    })


@require_POST
def export(request):
    require_verb(request.user, "audit.read")
    form = AuditFilterForm(request.POST)
    filters = form.filters()
    outcomes = dict(Outcome.choices)
    entries = list(selectors.audit_entries(filters)[:EXPORT_LIMIT])
    rows = [
        (e.seq, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.event, e.event_label,
         outcomes.get(e.outcome, e.outcome), e.actor_name, e.actor_role, e.actor_unit, e.ip,
         e.object_type, e.object_id, e.object_repr,
         _changes_text(e.changes), e.request_id)
        for e in entries
    ]
    # The export is itself an event: who took which part of the log out, and how much of it.
    record("audit.export", actor=request.user, object_type="audit.entry", changes={
        "filters": [None, {k: str(v) for k, v in filters.items() if v}],
        "rows": [None, len(rows)],
        "truncated": [None, len(rows) == EXPORT_LIMIT],
    })
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return workbook_response(f"审计日志-{stamp}.xlsx", [("审计日志", EXPORT_COLUMNS, rows)])


def _changes_text(changes) -> str:
    return ";".join(
        f"{field}:{before if before is not None else ''} → {after if after is not None else ''}"
        for field, before, after in selectors.change_rows(changes)
    )


def verify(request):
    """GET shows the button; POST walks the whole chain (a long read, so never on a plain GET)."""
    require_verb(request.user, "audit.read")
    result = None
    if request.method == "POST":
        result = chain.verify()
        record("audit.verify", actor=request.user, object_type="audit.entry",
               outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE,
               changes={"checked": [None, result.checked],
                        "problem": [None, result.problem] if result.problem else None})
    return render(request, "console/audit/verify.html", {"result": result})
