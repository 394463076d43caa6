"""Model → dict for the API (kept apart from the endpoints so exports can share them)."""

from chuangwen.org.models import LinkageLevel, UnitKind

KIND_LABELS = dict(UnitKind.choices)
LEVEL_LABELS = dict(LinkageLevel.choices)


def unit(u) -> dict:
    return {
        "code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind,
        "kind_label": KIND_LABELS.get(u.kind, u.kind), "parent_code": u.parent.code if u.parent_id else None,
        "full_name": u.full_name, "depth": u.depth, "is_active": u.is_active,
    }


def person(p) -> dict:
    return {"username": p.username, "full_name": p.full_name, "roles": [str(r) for r in p.roles]}


def post(p) -> dict:
    return {
        "id": p.pk, "person": p.person.username, "person_name": p.person.full_name,
        "unit_code": p.unit.code, "unit_name": p.unit.name, "title": p.title, "is_head": p.is_head,
        "is_liaison": p.is_liaison, "valid_from": p.valid_from, "valid_to": p.valid_to,
    }


def linkage(link) -> dict:
    return {
        "id": link.pk, "level": link.level, "level_label": LEVEL_LABELS.get(link.level, ""),
        "person": link.person.username if link.person_id else None,
        "person_name": link.person.full_name if link.person_id else None,
        "from_unit_code": link.from_unit.code if link.from_unit_id else None,
        "unit_code": link.unit.code, "valid_from": link.valid_from, "valid_to": link.valid_to,
    }


def group(g, visible_unit_ids: set[int] | None) -> dict:
    return {
        "code": g.code, "name": g.name, "lead": g.lead.username, "lead_name": g.lead.full_name,
        "duties": g.duties,
        "members": [
            {"unit_code": m.unit.code, "unit_name": m.unit.name, "is_lead_unit": m.is_lead_unit, "duties": m.duties}
            for m in g.members.all()
            if visible_unit_ids is None or m.unit_id in visible_unit_ids
        ],
    }
