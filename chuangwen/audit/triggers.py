"""Database triggers that make the audit table append-only, per database vendor.

UPDATE is always refused.  DELETE is refused too, except for the entries a retention run is
archiving: `chuangwen audit archive` inserts one row into `audit_archive_permit` (the highest
number it may delete), deletes the archived prefix and removes the row again, all in one
transaction.  On PostgreSQL a deferred constraint trigger also refuses to commit while a permit
row exists, so a permit can never outlive its transaction.

Used by the migrations and by the test harness (which must lift them on SQLite to flush the
database between transactional tests; PostgreSQL's TRUNCATE does not fire row triggers).
"""

REFUSED = "audit log is append-only"

# Version 1 (migration 0002): no permit.  Kept so that 0002 never refers to the permit table,
# which only exists from 0003 on (SQLite re-checks triggers whenever a table is renamed).
SQLITE_CREATE_V1 = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
]
SQLITE_CREATE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       WHEN NOT EXISTS (SELECT 1 FROM audit_archive_permit p WHERE p.id = 1 AND OLD.seq <= p.upto)
       BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
POSTGRES_CREATE_V1 = [
    f"""CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '{REFUSED}'; END; $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_entry""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]
POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND EXISTS (
             SELECT 1 FROM audit_archive_permit p WHERE p.id = 1 AND OLD.seq <= p.upto) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION '{REFUSED}';
       END; $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_entry""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE OR REPLACE FUNCTION audit_archive_permit_transient() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_archive_permit) THEN
           RAISE EXCEPTION 'audit archive permit must not outlive its transaction';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS audit_archive_permit_transient ON audit_archive_permit""",
    """CREATE CONSTRAINT TRIGGER audit_archive_permit_transient AFTER INSERT ON audit_archive_permit
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_archive_permit_transient()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_entry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]
POSTGRES_DROP_PERMIT = [
    "DROP TRIGGER IF EXISTS audit_archive_permit_transient ON audit_archive_permit",
    "DROP FUNCTION IF EXISTS audit_archive_permit_transient()",
]


def statements(vendor: str, *, create: bool, permit: bool = True) -> list[str]:
    """The statements that create (or drop) the triggers; `permit=False` gives version 1."""
    if vendor == "sqlite":
        if not create:
            return SQLITE_DROP
        return SQLITE_CREATE if permit else SQLITE_CREATE_V1
    if vendor == "postgresql":
        if not create:
            return POSTGRES_DROP
        return POSTGRES_CREATE if permit else POSTGRES_CREATE_V1
    return []


def apply(connection, *, create: bool, permit: bool = True) -> None:
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, create=create, permit=permit):
            cursor.execute(sql)
