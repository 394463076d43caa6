"""Proposals, records and the published list → dicts for the API.  Units appear by their
snapshot names; people only as the named head of a 约谈/诫勉/问责."""

from chuangwen.rewards.models import display_name


def _unit(code_holder, unit_name: str) -> dict | None:
    if code_holder is None:
        return None
    return {"code": code_holder.code, "name": display_name(unit_name)}


def _rule(r) -> dict:
    return {"code": r.code, "name": r.name, "trigger": r.trigger}


def _period(p) -> dict | None:
    return {"id": p.pk, "label": p.label, "kind": p.kind} if p is not None else None


def proposal(p) -> dict:
    rec = getattr(p, "record", None) if p.status == "confirmed" else None
    return {
        "id": p.pk, "rule": _rule(p.rule), "kind": p.kind, "kind_label": p.get_kind_display(),
        "base_kind": p.base_kind, "suggestion": p.suggestion, "unit": _unit(p.unit, p.unit_name),
        "person_name": p.person_name,
        "period": _period(p.period), "task_code": p.task.code if p.task_id else None,
        "occurred_on": p.occurred_on, "reason": p.reason, "evidence": p.evidence, "status": p.status,
        "status_label": p.get_status_display(), "proposed_at": p.proposed_at, "decided_at": p.decided_at,
        "decision_note": p.decision_note,
        "record_id": rec.pk if rec is not None else None, "version": p.version,
    }


def record(r) -> dict:
    return {
        "id": r.pk, "proposal_id": r.proposal_id, "rule": _rule(r.proposal.rule), "kind": r.kind,
        "kind_label": r.get_kind_display(), "unit": _unit(r.unit, r.unit_name), "person_name": r.person_name,
        "period": _period(r.period), "task_code": r.task.code if r.task_id else None,
        "occurred_on": r.occurred_on, "reason": r.reason, "doc_number": r.doc_number,
        "confirmed_by_name": r.confirmed_by.full_name,
        "confirmed_at": r.confirmed_at,
    }


def honours(h) -> dict:
    return {
        "period": _period(h.period), "title": h.title, "issuer": h.issuer, "issued_on": h.issued_on,
        "tables": [{"group": t.group, "label": t.label, "rows": [_rank_row(r) for r in t.rows]}
                   for t in h.tables],
        "red": [_listed(x) for x in h.red],
        "black": [_listed(x) for x in h.black],
    }


def _rank_row(r) -> dict:
    return {"rank": r.rank, "unit_name": r.unit_name, "score": float(r.score), "board": r.board}


def _listed(x) -> dict:
    return {"kind": x.kind, "kind_label": x.kind_label, "unit_name": x.unit_name,
            "person_name": x.person_name, "reason": x.reason, "doc_number": x.doc_number}
