"""Seeing a citizen's personal information in full: a permitted role, one named encrypted field,
one audit entry (PIPL Art. 51; checklist F2).  Everywhere else the value is shown masked
(chuangwen.lib.pi.mask_phone / mask_name).

The caller fetches `obj` through its app's scope (`problems_visible_to(user)` or the like), so a
person can only unmask what they may already see; this service adds the verb and the audit.
"""

from django.db import transaction

from chuangwen.audit.log import record
from chuangwen.lib.pi import EncryptedTextField, mask_phones_in

from .permissions import deny, has_verb

VERB = "pi.unmask"
REASON_MAX = 200


class _AsLogged:
    """`obj` as the audit log names it: type and id, and its text with any phone masked (a
    model's __str__ may carry a number someone typed; the log must not)."""

    def __init__(self, obj):
        self._meta, self.pk, self._text = obj._meta, obj.pk, mask_phones_in(str(obj))

    def __str__(self):
        return self._text


def _encrypted_field(obj, field: str) -> EncryptedTextField:
    model_field = obj._meta.get_field(field)  # FieldDoesNotExist for a wrong name
    if not isinstance(model_field, EncryptedTextField):
        raise ValueError(
            f"{obj._meta.label}.{field} is not personal information (not an EncryptedTextField)."
        )
    return model_field


def pi_unmask(*, actor, obj, field: str, reason: str = "") -> str:
    """The stored value of `obj.<field>` in full, for `actor` holding "pi.unmask".

    The value is re-read from the database (never an unsaved edit on `obj`) in the same
    transaction as its audit entry: if the entry cannot be written, nothing is shown.  The entry
    names the object, the field and the reason, never the value; digits in the reason or the
    object's text are masked.  A refusal is audited as permission.denied.
    """
    model_field = _encrypted_field(obj, field)
    if obj.pk is None:
        raise ValueError("Only a saved object can be unmasked.")
    logged = _AsLogged(obj)
    if not has_verb(actor, VERB):
        deny(actor, VERB, logged)
    with transaction.atomic():
        value = (
            type(obj)._base_manager.filter(pk=obj.pk).values_list(model_field.attname, flat=True).get()
        )
        record(
            VERB, actor=actor, obj=logged,
            changes={"field": [None, field], "reason": [None, mask_phones_in(reason.strip())[:REASON_MAX]]},
        )
    return value or ""
