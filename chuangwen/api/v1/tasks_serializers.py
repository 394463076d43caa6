"""Plans, tasks, progress updates and handovers → dicts for the API.

People appear by the snapshot names the task keeps (责任人, 挂钩领导, 交账人), never by username:
a task is seen further down the tree than the people it names."""

from chuangwen.tasks.colours import Colour


def unit_ref(u) -> dict | None:
    return {"code": u.code, "name": u.name} if u is not None else None


def plan(p) -> dict:
    return {
        "id": p.pk,
        "year": p.year,
        "title": p.title,
        "doc_number": p.doc_number,
        "goals": p.goals,
        "issuing_unit": unit_ref(p.issuing_unit),
        "requires_signoff": p.requires_signoff,
        "created_at": p.created_at,
        "version": p.version,
    }


def plan_detail(p, *, completion: float) -> dict:
    return {**plan(p), "completion": round(completion, 1)}


def task_item(t) -> dict:
    """A row of the list; `t` comes annotated with `colour` (selectors.with_colour)."""
    colour = getattr(t, "colour", "") or None
    return {
        "code": t.code,
        "title": t.title,
        "plan_id": t.plan_id,
        "parent_code": t.parent.code if t.parent_id else None,
        "status": t.status,
        "status_label": t.get_status_display(),
        "deadline": t.deadline,
        "original_deadline": t.original_deadline,
        "issuing_unit": unit_ref(t.issuing_unit),
        "lead_unit": unit_ref(t.lead_unit),
        "responsible_name": t.responsible_name,
        "linked_leader_name": t.linked_leader_name,
        "progress": t.progress,
        "colour": colour,
        "colour_label": Colour.LABELS.get(colour or "", ""),
        "last_update_at": t.last_update_at,
        "version": t.version,
    }


def milestone(m) -> dict:
    return {"id": m.pk, "title": m.title, "due": m.due, "done_at": m.done_at}


def event(e) -> dict:
    return {
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "actor_name": e.actor_name,
        "at": e.at,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "note": e.note,
    }


def task_detail(
    t,
    *,
    completion: float,
    days_overdue: int,
    missing_fixes: list[str],
    allowed_actions: list[str],
    can_report: bool,
    events,
) -> dict:
    return {
        **task_item(t),
        "plan_title": t.plan.title,
        "source": t.source,
        "source_label": t.get_source_display(),
        "source_ref": t.source_ref,
        "content": t.content,
        "standard": t.standard,
        "milestones": [milestone(m) for m in t.milestones.all()],
        "cooperating_units": [unit_ref(u) for u in t.cooperating_units.all()],
        "work_group": {"code": t.work_group.code, "name": t.work_group.name} if t.work_group_id else None,
        "criteria": t.criteria,
        "points": float(t.points) if t.points is not None else None,
        "weight": float(t.weight),
        "policy": {"code": t.policy.code, "name": t.policy.name} if t.policy_id else None,
        "missing_fixes": missing_fixes,
        "days_overdue": days_overdue,
        "completion": round(completion, 1),
        "allowed_actions": allowed_actions,
        "can_report": can_report,
        "issued_at": t.issued_at,
        "signed_at": t.signed_at,
        "handed_in_at": t.handed_in_at,
        "accepted_at": t.accepted_at,
        "created_at": t.created_at,
        "events": [event(e) for e in events],
    }


def progress_update(u, *, task_code: str) -> dict:
    return {
        "id": u.pk,
        "task_code": task_code,
        "percent": u.percent,
        "text": u.text,
        "problems": u.problems,
        "next_steps": u.next_steps,
        "reported_by_name": u.reported_by.full_name,
        "reported_at": u.reported_at,
    }


def handover(h) -> dict:
    return {
        "id": h.pk,
        "task_code": h.task.code,
        "task_title": h.task.title,
        "from_unit": unit_ref(h.from_unit),
        "to_unit": unit_ref(h.to_unit),
        "from_name": h.from_name,
        "to_name": h.to_name,
        "summary": h.summary,
        "status": h.status,
        "status_label": h.get_status_display(),
        "submitted_at": h.submitted_at,
        "review_note": h.review_note,
        "decided_at": h.decided_at,
        "decision_note": h.decision_note,
    }
