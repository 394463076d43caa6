"""EncryptedTextField: plaintext in Python, ciphertext in the database (checklist F3)."""

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from chuangwen.lib.pi import DecryptionError, decrypt, phone_index, phone_indexes

from .pi_support import PHONE, Caller, pi_keys, pi_table, raw_row  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("pi_table")


def _caller(**kwargs):
    values = {"name": "张三丰", "phone": PHONE, "phone_index": phone_index(PHONE), **kwargs}
    return Caller.objects.create(**values)


def test_the_database_holds_no_plaintext():
    caller = _caller()
    name, phone, index = raw_row(caller.pk)
    for stored in (name, phone):
        assert stored.startswith("pi1:")
    assert PHONE not in phone and "5678" not in phone and "张" not in name
    assert decrypt(phone) == PHONE and decrypt(name) == "张三丰"
    # Neither the digits nor the name anywhere in the row.
    assert not any(PHONE in str(v) or "三丰" in str(v) for v in (name, phone, index))


def test_reads_decrypt_through_every_path():
    caller = _caller()
    again = Caller.objects.get(pk=caller.pk)
    assert (again.name, again.phone) == ("张三丰", PHONE)
    assert Caller.objects.filter(pk=caller.pk).values_list("phone", flat=True).get() == PHONE
    assert Caller.objects.values("name").get(pk=caller.pk) == {"name": "张三丰"}


def test_equal_phones_store_differently_and_are_found_by_the_blind_index():
    first, second = _caller(), _caller(name="李四")
    assert raw_row(first.pk)[1] != raw_row(second.pk)[1]
    found = Caller.objects.filter(phone_index__in=phone_indexes("+86 138 1234 5678"))
    assert set(found.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_updates_encrypt_too():
    caller = _caller()
    Caller.objects.filter(pk=caller.pk).update(phone="13900001111")
    assert "13900001111" not in raw_row(caller.pk)[1]
    caller.refresh_from_db()
    assert caller.phone == "13900001111"
    caller.phone = "13700002222"
    caller.save(update_fields=["phone"])
    assert "13700002222" not in raw_row(caller.pk)[1]
    Caller.objects.bulk_update([caller], ["name"])
    assert Caller.objects.get(pk=caller.pk).name == "张三丰"


def test_empty_and_null_are_stored_as_they_are():
    caller = _caller(name="", phone=None, phone_index="")
    assert raw_row(caller.pk)[:2] == ("", None)
    again = Caller.objects.get(pk=caller.pk)
    assert (again.name, again.phone) == ("", None)
    assert Caller.objects.filter(phone__isnull=True).count() == 1


@pytest.mark.parametrize(
    "lookup", ["phone", "phone__exact", "phone__icontains", "phone__in", "phone__startswith"]
)
def test_filtering_on_the_encrypted_column_is_refused_not_silently_empty(lookup):
    _caller()
    value = [PHONE] if lookup.endswith("__in") else PHONE
    with pytest.raises(FieldError, match="blind index"):
        list(Caller.objects.filter(**{lookup: value}))


def test_a_tampered_row_fails_loudly_on_read():
    caller = _caller()
    stored = raw_row(caller.pk)[1]
    # Someone with write access to the database edits the stored bytes (here the tag).
    forged = stored[:-2] + ("AA" if stored[-2:] != "AA" else "BB")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Caller._meta.db_table} SET phone = %s WHERE id = %s", [forged, caller.pk])
    with pytest.raises(DecryptionError):
        Caller.objects.get(pk=caller.pk)


def test_the_form_field_is_a_one_line_input():
    from django import forms

    field = Caller._meta.get_field("phone").formfield()
    assert isinstance(field.widget, forms.TextInput)
