"""Helpers shared by the page tests."""


def raw_contact(pk) -> tuple[str, str, str]:
    """The contact columns as stored (SQL, past any field that would decrypt on read)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT reporter_name_enc, reporter_phone_enc, reporter_phone_index FROM problems_problem "
                    "WHERE id = %s", [pk])
        return cur.fetchone()
