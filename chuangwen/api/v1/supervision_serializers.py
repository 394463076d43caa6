"""Instructions, meetings, decisions, visits and the ledger → dicts for the API.  People appear by
the snapshot names the records keep (批示领导, 主持人), never by username."""

from chuangwen.supervision.selectors import Stage, stage_of

from .tasks_serializers import task_item, unit_ref


def closure(item) -> dict:
    """`item` carries `task_total` and `task_accepted` (selectors.with_progress or item_stage)."""
    stage = getattr(item, "stage", None) or stage_of(item)
    return {
        "status": item.status,
        "status_label": item.get_status_display(),
        "stage": stage,
        "stage_label": Stage.LABELS[stage],
        "task_total": item.task_total,
        "task_accepted": item.task_accepted,
        "closed_at": item.closed_at,
        "version": item.version,
    }


def instruction_item(i) -> dict:
    return {"id": i.pk, "leader_name": i.leader_name, "date": i.date, "title": i.title,
            "doc_number": i.doc_number, **closure(i)}


def instruction_detail(i, tasks) -> dict:
    return {
        **instruction_item(i),
        "text": i.text,
        "closing_note": i.closing_note,
        "closed_by_name": i.closed_by.full_name if i.closed_by_id else "",
        "created_at": i.created_at,
        "tasks": [task_item(t) for t in tasks],
    }


def decision_detail(d, tasks) -> dict:
    return {
        "id": d.pk,
        "meeting_id": d.meeting_id,
        "meeting_title": d.meeting.title,
        "number": d.number,
        "text": d.text,
        "closing_note": d.closing_note,
        "tasks": [task_item(t) for t in tasks],
        **closure(d),
    }


def meeting_item(m) -> dict:
    return {
        "id": m.pk, "kind": m.kind, "kind_label": m.get_kind_display(), "date": m.date, "title": m.title,
        "chair_name": m.chair_name, "place": m.place, "doc_number": m.doc_number,
        "decision_total": m.decision_total, "decision_closed": m.decision_closed, "version": m.version,
    }


def meeting_detail(m, decisions) -> dict:
    return {**meeting_item(m), "attendees": m.attendees,
            "decisions": [decision_detail(d, d.tasks) for d in decisions]}


def site_ref(s) -> dict | None:
    return {"code": s.code, "name": s.name} if s is not None else None


def finding(f) -> dict:
    p = f.problem
    return {
        "number": f.number, "problem_number": p.number, "problem_status": p.status,
        "problem_status_label": p.get_status_display(), "category": p.category.name,
        "description": p.description,
        "site": site_ref(p.site), "address": p.address, "suggested_unit": unit_ref(p.suggested_unit),
        "responsible_unit": unit_ref(p.responsible_unit), "raised_by": f.raised_by,
    }


def visit_item(v) -> dict:
    return {
        "id": v.pk, "kind": v.kind, "kind_label": v.get_kind_display(), "date": v.date, "title": v.title,
        "members": v.members, "finding_total": v.finding_total, "finding_closed": v.finding_closed,
        "version": v.version,
    }


def visit_detail(v, *, sites, findings) -> dict:
    return {**visit_item(v), "summary": v.summary, "sites": [site_ref(s) for s in sites],
            "findings": [finding(f) for f in findings]}


def ledger(data: dict) -> dict:
    return {
        "year": data["year"],
        "years": data["years"],
        "by_source": [ln.as_dict() for ln in data["by_source"]],
        "totals": [ln.as_dict() for ln in data["totals"].values()],
        "lines": [ln.as_dict() for ln in data["lines"]],
        "phrases": data["phrases"],
    }
