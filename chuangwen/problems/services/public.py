"""The citizen's report (随手拍) and the reporter's contact details.

A citizen reports without an account: `problem_report_citizen` checks the photos (one to nine;
re-encoded without a byte of metadata, nothing kept as evidence: a citizen's whereabouts are
not ours to keep), reports as `problem_report(source="citizen", actor=None)` does and stores the
optional name and phone encrypted, with the phone's blind index (chuangwen.lib.pi).

Staff see the contact masked (`reporter_contact`); HQ staff holding "pi.unmask" may see the
phone in full, one audit entry each time (`reporter_phone_unmask`)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from chuangwen.attachments.photos import MAX_PHOTOS
from chuangwen.attachments.services import photos_stage, photos_store, prepare_photos
from chuangwen.lib.pi import (
    DecryptionError, EncryptedTextField, decrypt, encrypt, is_ciphertext, mask_name, mask_phone, normalise_phone,
    phone_index,
)

from ..models import Problem, Source
from .report import PHOTO_BEFORE, problem_draft, problem_insert

NAME_MAX = 30
NAME_FIELD, PHONE_FIELD, INDEX_FIELD = "reporter_name_enc", "reporter_phone_enc", "reporter_phone_index"
UNREADABLE = "(无法解密)"


def _encrypted_by_field(name: str) -> bool:
    """True once the model declares the column an EncryptedTextField (it encrypts itself);
    until then this module writes and reads the ciphertext."""
    return isinstance(Problem._meta.get_field(name), EncryptedTextField)


def _seal(name: str, value: str) -> str:
    if not value or _encrypted_by_field(name):
        return value
    return encrypt(value)


def _open(name: str, stored: str) -> str:
    if not stored or _encrypted_by_field(name) or not is_ciphertext(stored):
        return stored or ""
    return decrypt(stored)


def problem_report_citizen(*, category, description: str, photos, district=None, address: str = "", lng=None,
                           lat=None, name: str = "", phone: str = "") -> Problem:
    """A citizen's 随手拍: one to nine photos, the phone (optional) normalised first.  All or
    nothing: a refused photo or phone creates no problem."""
    photos = list(photos)
    if not photos:
        raise ValidationError("请至少上传 1 张现场照片。", code="photos")
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(f"最多上传 {MAX_PHOTOS} 张照片,您选择了 {len(photos)} 张。", code="photos")
    name = " ".join(name.split())[:NAME_MAX]
    phone = normalise_phone(phone) if phone.strip() else ""
    # Everything but the inserts happens before the transaction, which holds the year's number
    # (and on SQLite the write lock) to its commit: the checks, routing and rebound check, the
    # photos re-encoded and their blobs written, the contact encrypted.
    prepared = prepare_photos(photos, keep_evidence=False)
    problem = problem_draft(source=Source.CITIZEN, category=category, description=description, actor=None,
                            district=district, address=address, lng=lng, lat=lat)
    staged = photos_stage(prepared, evidence=False)
    if name or phone:
        contact = {NAME_FIELD: _seal(NAME_FIELD, name), PHONE_FIELD: _seal(PHONE_FIELD, phone),
                   INDEX_FIELD: phone_index(phone) if phone else ""}
        for field, value in contact.items():
            setattr(problem, field, value)
    with transaction.atomic():
        problem_insert(problem, actor=None)
        photos_store(staged, owner_kind=PHOTO_BEFORE, owner_id=problem.pk, actor=None, evidence=False)
    return problem


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str

    def __bool__(self) -> bool:
        return bool(self.name or self.phone)


def reporter_contact(problem: Problem) -> Contact:
    """The reporter's name and phone, masked (张**, 138****5678); empty when none was given."""
    def masked(field, mask):
        try:
            return mask(_open(field, getattr(problem, field)))
        except DecryptionError:
            return UNREADABLE

    return Contact(name=masked(NAME_FIELD, mask_name), phone=masked(PHONE_FIELD, mask_phone))


def reporter_phone_unmask(*, actor, problem: Problem, reason: str = "") -> str:
    """The reporter's phone in full for `actor` holding "pi.unmask"; one audit entry, written in
    the transaction that reads the value (no entry, no value).  The caller fetched `problem`
    through `problems_visible_to(actor)`."""
    from chuangwen.accounts.pi import pi_unmask

    if _encrypted_by_field(PHONE_FIELD):
        return pi_unmask(actor=actor, obj=problem, field=PHONE_FIELD, reason=reason)
    return _unmask_ciphertext_column(actor=actor, problem=problem, reason=reason)


def _unmask_ciphertext_column(*, actor, problem: Problem, reason: str) -> str:
    """`pi_unmask` for a column holding ciphertext as plain text (pi_unmask itself accepts only
    EncryptedTextField columns): the same verb, the same audit entry, then decryption.  Goes
    away when Problem.reporter_phone_enc becomes an EncryptedTextField."""
    from chuangwen.accounts.permissions import deny, has_verb
    from chuangwen.accounts.pi import REASON_MAX, VERB
    from chuangwen.audit.log import record
    from chuangwen.lib.pi import mask_phones_in

    if not has_verb(actor, VERB):
        deny(actor, VERB, problem)
    with transaction.atomic():
        stored = Problem.objects.filter(pk=problem.pk).values_list(PHONE_FIELD, flat=True).get()
        record(
            VERB, actor=actor, obj=problem, object_repr=mask_phones_in(str(problem)),
            changes={"field": [None, PHONE_FIELD], "reason": [None, mask_phones_in(reason.strip())[:REASON_MAX]]},
        )
    return _open(PHONE_FIELD, stored)
