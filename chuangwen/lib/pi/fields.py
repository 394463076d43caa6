"""A model field whose value is encrypted in the database and plain text in Python.

    reporter_phone = EncryptedTextField("举报人电话", blank=True)
    # HMAC of the normalised phone, set by the service beside the phone: lookups and dedup.
    reporter_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

Reads decrypt (a ciphertext that does not authenticate raises `DecryptionError`: no silent
wrong value); writes encrypt with the current key and a fresh nonce.  None and "" are stored
as they are (an empty value has nothing to hide), so `blank=True` fields need no `null`.

Filtering on the column cannot work (equal values differ on disk) and would fail silently, so
every lookup but `isnull` raises FieldError: filter on the blind index instead.  For the same
reason never set `unique=True` here; put the constraint on the index column.
"""

from django import forms
from django.core.exceptions import FieldError
from django.db import models

from .crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: the lookup {lookup_name!r} cannot match. "
            "Filter on its blind index (chuangwen.lib.pi.phone_indexes) instead."
        )

    def get_transform(self, lookup_name):
        return None

    def formfield(self, **kwargs):
        # A one-line input (a phone, a name), not the Textarea of a TextField.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})
