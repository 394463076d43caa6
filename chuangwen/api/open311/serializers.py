"""GeoReport v2 documents as Python values (formats.py writes them as XML or JSON).  IDs and
codes are strings (the published JSON schemas require it); dates carry the +08:00 offset."""

from chuangwen.lib.pi import mask_phones_in
from chuangwen.problems.models import FINAL_STATUSES, ProblemEventKind, ProblemStatus

from .dates import w3c
from .selectors import service_notice

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DESCRIPTION_MAX = 4000
NOTES_MAX = 500

# Internal statuses as the public reads them (status_notes).  Closed = 销号 or 作废; every other
# status is open.  A request to park (挂账) is internal: the public still sees the rectification.
PUBLIC_STATUS = {
    ProblemStatus.REPORTED: "已受理,待交办",
    ProblemStatus.ASSIGNED: "已交办责任单位",
    ProblemStatus.RECTIFYING: "整改中",
    ProblemStatus.AWAITING_RECHECK: "整改完成,待复查",
    ProblemStatus.REWORK: "复查未通过,返工整改",
    ProblemStatus.CLOSED: "已整改销号",
    ProblemStatus.RETURNED: "待重新交办",
    ProblemStatus.PARK_REQUESTED: "整改中",
    ProblemStatus.PARKED: "已挂账,列入长期整改",
    ProblemStatus.VOIDED: "已作废",
}


def open_or_closed(status: str) -> str:
    return "closed" if status in FINAL_STATUSES else "open"


def status_notes(problem) -> str:
    """The public label of the internal status, with the public reply, or else the note of the
    public event that led to this status (a recheck's remark, a void's reason)."""
    label = PUBLIC_STATUS.get(problem.status, problem.get_status_display())
    detail = (problem.public_reply or "").strip()
    # The report's own note ("随手拍:暴露垃圾") says nothing the service name does not.
    if (not detail and getattr(problem, "public_to_status", None) == problem.status
            and getattr(problem, "public_kind", None) != ProblemEventKind.REPORT):
        detail = (getattr(problem, "public_note", "") or "").strip()
    text = f"{label}:{detail}" if detail else label
    return mask_phones_in(text)[:NOTES_MAX]


def discovery(*, base_url: str, changeset: str, contact: str, key_service: str, production: bool) -> dict:
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base_url,
            "changeset": changeset,
            "type": "production" if production else "test",
            "formats": ["text/xml", "application/json"],
        }],
    }


def service(category, limits) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": (f"{category.get_kind_display()} · {category.group} · {category.name}。"
                        f"{service_notice(category, limits)}"),
        "metadata": bool(category.has_attributes),
        "type": "realtime",
        "keywords": ",".join([category.group, category.get_kind_display()]),
        "group": category.group,
    }


def attribute(a) -> dict:
    out = {
        "variable": a.variable,
        "code": a.code,
        "datatype": a.datatype,
        "required": a.required,
        "datatype_description": a.datatype_description,
        "order": a.order,
        "description": a.description,
    }
    if a.is_list:
        out["values"] = [{"key": str(v["key"]), "name": str(v["name"])} for v in a.values]
    return out


def service_definition(category, attributes) -> dict:
    return {"service_code": category.code, "attributes": [attribute(a) for a in attributes]}


def posted(req) -> dict:
    return {
        "service_request_id": req.problem.number,
        "service_notice": req.service_notice,
    }


def token(req) -> dict:
    return {"service_request_id": req.problem.number, "token": req.token}


def request(problem, limits) -> dict:
    """One service request (GET /requests, GET /requests/{id}): public fields only."""
    status = open_or_closed(problem.status)
    if status == "closed":
        updated = problem.closed_at or problem.public_at
    else:
        updated = problem.public_at
    return {
        "service_request_id": problem.number,
        "status": status,
        "status_notes": status_notes(problem),
        "service_name": problem.category.name,
        "service_code": problem.category.code,
        "description": mask_phones_in(problem.description)[:DESCRIPTION_MAX],
        "agency_responsible": problem.responsible_unit.name if problem.responsible_unit_id else None,
        "service_notice": service_notice(problem.category, limits),
        "requested_datetime": w3c(problem.reported_at),
        "updated_datetime": w3c(updated or problem.reported_at),
        "expected_datetime": w3c(problem.deadline) if status == "open" else None,
        "address": problem.address or None,
        "address_id": getattr(problem, "address_id", None) or None,
        "lat": float(problem.lat) if problem.lat is not None else None,
        "long": float(problem.lng) if problem.lng is not None else None,
    }
