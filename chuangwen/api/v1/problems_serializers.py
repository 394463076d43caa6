"""Problems, their photos, timeline, categories and metrics → dicts for the API.

People appear by name, never by username.  A citizen's contact appears only masked
(`problems.services.public.reporter_contact`, as on the problem page); unmasking stays an
audited action of the page."""

from chuangwen.problems.colours import Colour
from chuangwen.problems.models import Severity
from chuangwen.problems.services.public import reporter_contact

from .tasks_serializers import unit_ref

SEVERITY_ORDER = {value: i for i, value in enumerate(Severity.values)}


def _float(value) -> float | None:
    return float(value) if value is not None else None


def category_ref(c) -> dict:
    return {"code": c.code, "name": c.name, "kind": c.kind, "group": c.group}


def problem_item(p) -> dict:
    """A row of a list; `p` comes with `due` and `colour` set (selectors_pages.with_due)."""
    colour = getattr(p, "colour", "") or None
    return {
        "number": p.number,
        "status": p.status,
        "status_label": p.get_status_display(),
        "source": p.source,
        "source_label": p.get_source_display(),
        "category": category_ref(p.category),
        "severity": p.severity,
        "severity_label": p.get_severity_display(),
        "description": p.description,
        "district": unit_ref(p.district),
        "address": p.address,
        "responsible_unit": unit_ref(p.responsible_unit),
        "responsible_name": p.responsible_name,
        "deadline": p.deadline,
        "reported_at": p.reported_at,
        "assigned_at": p.assigned_at,
        "closed_at": p.closed_at,
        "overdue": getattr(p, "due", "") == "overdue",
        "colour": colour,
        "colour_label": Colour.LABELS.get(colour or "", ""),
        "rework_count": p.rework_count,
        "version": p.version,
    }


def desk_item(p, *, rebound_number: str | None = None) -> dict:
    return {
        **problem_item(p),
        "suggested_unit": unit_ref(p.suggested_unit),
        "rebound_of": rebound_number,
    }


def evidence(e) -> dict | None:
    if e is None:
        return None
    return {"taken_at": e.taken_at, "gps_lat": _float(e.gps_lat), "gps_lng": _float(e.gps_lng),
            "device": e.device}


def photo(a, evidence_by_id: dict) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "content_type": a.content_type,
        "size": a.size,
        "uploaded_at": a.uploaded_at,
        "url": a.get_absolute_url(),
        "evidence": evidence(evidence_by_id.get(a.pk)),
    }


def event(e) -> dict:
    return {
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "actor_name": e.actor_name,
        "at": e.at,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "note": e.note,
        "is_public": e.is_public,
    }


def problem_detail(p, *, photos: dict, evidence_by_id: dict, allowed_actions: list[str], events) -> dict:
    """`p` comes with its relations selected (rebound_of, merged_into, site, reported_by, ...)."""
    contact = reporter_contact(p)
    return {
        **desk_item(p, rebound_number=p.rebound_of.number if p.rebound_of_id else None),
        "site": {"code": p.site.code, "name": p.site.name} if p.site_id else None,
        "lng": _float(p.lng),
        "lat": _float(p.lat),
        "linked_leader_name": p.linked_leader_name,
        "original_deadline": p.original_deadline,
        "submitted_at": p.submitted_at,
        "merged_into": p.merged_into.number if p.merged_into_id else None,
        "reported_by_name": p.reported_by.full_name if p.reported_by_id else "",
        "reporter": {"name": contact.name, "phone": contact.phone} if contact else None,
        "tracking_code": p.tracking_code,
        "public_reply": p.public_reply,
        "photos_before": [photo(a, evidence_by_id) for a in photos["before"]],
        "photos_after": [photo(a, evidence_by_id) for a in photos["after"]],
        "allowed_actions": allowed_actions,
        "events": [event(e) for e in events],
    }


def category(c) -> dict:
    return {
        **category_ref(c),
        "kind_label": c.get_kind_display(),
        "is_active": c.is_active,
        "limits": [
            {"severity": t.severity, "amount": t.amount, "unit": t.unit, "unit_label": t.get_unit_display()}
            for t in sorted(c.limits.all(), key=lambda t: SEVERITY_ORDER.get(t.severity, len(SEVERITY_ORDER)))
        ],
    }


def metrics(row, codes: dict) -> dict:
    """A `problems.metrics.Metrics` row, its key (a unit or category id) given as its code."""
    data = row.as_dict()
    data["code"] = codes.get(data.pop("key"))
    return data
