"""Writing the audit log.  Every service calls `record()` inside its own transaction, so a
failed audit write rolls back the change it records."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from . import context
from .chain import GENESIS, compute_mac
from .models import Entry, Head, Outcome

# Keys never written into `changes`, whatever a caller passes.
_SECRET_KEYS = {"password", "password1", "password2", "otp", "token", "secret", "totp"}


def _clean_changes(changes: dict | None) -> dict:
    if not changes:
        return {}
    cleaned = {k: ("***" if k.lower() in _SECRET_KEYS else v) for k, v in changes.items()}
    # Store exactly what is MACed: JSON types only (dates become ISO strings).
    return json.loads(json.dumps(cleaned, cls=DjangoJSONEncoder))


def _actor_snapshot(actor) -> dict:
    if actor is None or not getattr(actor, "pk", None):
        return {"actor_id": None, "actor_name": "", "actor_role": "", "actor_unit": ""}
    snap = getattr(actor, "audit_snapshot", None)
    if callable(snap):
        return snap()
    return {"actor_id": actor.pk, "actor_name": str(actor), "actor_role": "", "actor_unit": ""}


def _lock_head() -> Head:
    head = Head.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First entry (or after a test flush): create the row without racing another writer.
        Head.objects.bulk_create([Head(id=1, seq=0, mac=GENESIS)], ignore_conflicts=True)
        head = Head.objects.select_for_update().get(pk=1)
    return head


def record(
    event: str,
    *,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    outcome: str = Outcome.SUCCESS,
    actor_name: str = "",
) -> Entry:
    """Append one entry to the chain.  `obj` may be any model instance (its type, pk and str
    are snapshotted); `changes` maps a field to [before, after] and must hold no secrets."""
    ctx = context.current()
    snapshot = _actor_snapshot(actor)
    if actor_name and not snapshot["actor_name"]:
        snapshot["actor_name"] = actor_name[:150]
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    with transaction.atomic():
        head = _lock_head()
        entry = Entry(
            seq=head.seq + 1,
            at=timezone.now(),
            event=event,
            outcome=outcome,
            ip=ctx.ip or "",
            request_id=ctx.request_id,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:300],
            changes=_clean_changes(changes),
            prev_mac=head.mac,
            **snapshot,
        )
        entry.mac = compute_mac(entry)
        entry.save(force_insert=True)
        head.seq, head.mac = entry.seq, entry.mac
        head.save(update_fields=["seq", "mac"])
    return entry

