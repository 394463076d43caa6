"""The demo city loader: shape after the seed, the accounts file, the scope rule, idempotency.

The demo loads only into an empty database, while the shared test world (conftest.py) is
committed in the test database; so these tests are transactional and start from a flushed
database (the next test that needs the world rebuilds it).  That also makes the loader's own
transaction a real one.  A load takes a few seconds, so one test checks everything that only
reads the loaded city.
"""

import base64
import io
import stat

import pytest
from django.core.management import call_command
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangwen.accounts.mfa import base32_secret
from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.audit import triggers
from chuangwen.audit.models import Entry
from chuangwen.org.demo import DemoRefused, data, load
from chuangwen.org.demo.build import CityBuilder
from chuangwen.org.models import Linkage, Post, Unit, UnitKind, WorkGroup
from chuangwen.org.selectors import units_visible_to

ACCOUNTS_FILE = "demo-accounts.txt"


@pytest.fixture
def demo_settings(settings, tmp_path):
    """Accounts file in a temporary var/; a fast hasher, since hashing is not under test."""
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def empty_db(transactional_db, core_demo_only, demo_settings):
    # SQLite flushes with DELETE, which the audit log's append-only triggers refuse.
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=False)
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=True)
    return demo_settings


def _parse(text: str) -> list[tuple]:
    return [tuple(line.split()) for line in text.splitlines() if line and not line.startswith("#")]


def _current(**filters):
    return Post.objects.current().filter(**filters)


def _visible(user) -> set[int]:
    return set(units_visible_to(user).values_list("pk", flat=True))


def _subtree(unit) -> set[int]:
    return set(Unit.objects.subtree_of(unit).values_list("pk", flat=True))


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Unit, Post, User, Linkage, WorkGroup, Entry))


def _assert_shape_of_the_seed(city_name):
    def count(kind):
        return Unit.objects.filter(kind=kind).count()

    root = Unit.objects.get(code=data.CITY_CODE)
    assert (root.name, root.kind, root.parent) == (city_name, UnitKind.CITY, None)
    assert (count(UnitKind.COUNTY), count(UnitKind.DEV_ZONE)) == (13, 1)
    assert sorted(Unit.objects.filter(kind=UnitKind.LEADERSHIP).values_list("name", flat=True)) == sorted(
        ["市委", "市人大常委会", "市政府", "市政协"])
    assert count(UnitKind.CITY_DEPT) >= 25
    assert count(UnitKind.SUBORDINATE) > 0 and count(UnitKind.STATIONED) > 0
    assert Unit.objects.filter(kind=UnitKind.HQ, name__contains="指挥部办公室").count() == 1
    assert count(UnitKind.SHOP) >= 50
    assert Unit.objects.filter(code="Q01-J01-S01-P001", kind=UnitKind.SHOP).exists()

    groups = list(WorkGroup.objects.prefetch_related("members"))
    assert [g.name for g in groups] == ["优美环境组", "优良秩序组", "优质服务组", "优秀文化组", "文明创建组",
                                        "指挥部办公室"]
    for group in groups:
        assert _current(person=group.lead_id, unit__kind=UnitKind.LEADERSHIP).exists()
        members = group.members.all()
        assert len(members) >= 3 and sum(m.is_lead_unit for m in members) == 1

    assert set(Linkage.objects.current().values_list("level", flat=True)) == {1, 2, 3}
    for link in Linkage.objects.filter(level=3).select_related("from_unit", "unit"):
        assert link.from_unit.code in data.URBAN_DISTRICTS and link.unit.kind == UnitKind.COMMUNITY

    # Every unit somebody works in has its 一把手; departments and communities have liaisons.
    headed = set(_current(is_head=True).values_list("unit", flat=True))
    assert set(_current().values_list("unit", flat=True)) == headed
    for kind in (UnitKind.CITY_DEPT, UnitKind.COMMUNITY):
        assert not Unit.objects.filter(kind=kind).exclude(posts__is_liaison=True).exists()

    names = [*User.objects.values_list("full_name", flat=True),
             *Unit.objects.values_list("full_name", flat=True)]
    assert not [name for name in names for real in data.REAL_NAMES if real in name]
    # Only the demo logins can log in: hashing hundreds of passwords would make loading slow.
    assert User.objects.exclude(password__startswith="!").count() == len(data.DEMO_LOGINS)


def _assert_accounts_file(path, printed: str) -> dict[str, list]:
    """The file lists one login per role, in the documented order; returns role -> users."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Lines that are not logins (`open311 client <key>`, chuangwen.api.open311.demo) are skipped.
    accounts = [a for a in _parse(path.read_text(encoding="utf-8")) if a[0] in Role.values]
    admin_roles = {"sysadmin", "secadmin", "auditor"}
    # The three administrators' lines carry their TOTP secret as a fourth field.
    assert [len(fields) for fields in accounts] == [4 if f[0] in admin_roles else 3 for f in accounts]
    assert [role for role, *_ in accounts] == [
        "leader", "hq_staff", "group_lead", "unit_head", "unit_head", "liaison", "inspector", "deputy",
        "citizen", "sysadmin", "secadmin", "auditor",
    ]
    assert {role for role, *_ in accounts} == set(Role.values)
    logins: dict[str, list] = {}
    for role, username, password, *secret in accounts:
        user = User.objects.get(username=username)
        assert user.check_password(password) and not user.must_change_password and role in user.roles
        assert username in printed and password in printed
        if role in admin_roles:
            device = TOTPDevice.objects.get(user=user)
            assert device.confirmed and secret == [base32_secret(device)] and secret[0] in printed
            # The secret in the file produces the codes the device accepts.
            assert device.verify_token(totp(base64.b32decode(secret[0] + "=" * (-len(secret[0]) % 8))))
        else:
            assert not TOTPDevice.objects.filter(user=user).exists()
        logins.setdefault(role, []).append(user)
    return logins


def _assert_scope_rule(logins):
    community_head, district_head = logins["unit_head"]
    liaison, hq_staff, group_lead = logins["liaison"][0], logins["hq_staff"][0], logins["group_lead"][0]
    community = _current(person=community_head, is_head=True).get().unit
    district = _current(person=district_head, is_head=True).get().unit
    assert community.kind == UnitKind.COMMUNITY and district.kind == UnitKind.COUNTY
    assert _current(person=liaison, unit=community, is_liaison=True).exists()
    assert community.path.startswith(district.path)

    assert _visible(community_head) == _visible(liaison) == _subtree(community)
    assert _visible(district_head) == _subtree(district)
    assert _current(person=hq_staff, unit__kind=UnitKind.HQ).exists()
    assert _visible(hq_staff) == set(Unit.objects.values_list("pk", flat=True))
    # The group_lead sees their group's member units, not the whole city.
    seen = _visible(group_lead)
    for member in WorkGroup.objects.get(lead=group_lead).members.select_related("unit"):
        assert _subtree(member.unit) <= seen
    assert district.pk not in seen
    assert _visible(logins["auditor"][0]) == set()


def test_loads_the_seed_city_with_one_login_per_role(empty_db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    _assert_shape_of_the_seed(empty_db.CITY_NAME)
    logins = _assert_accounts_file(empty_db.VAR_DIR / ACCOUNTS_FILE, out.getvalue())
    _assert_scope_rule(logins)
    # The 12345 hotline's Open311 key (chuangwen.api.open311.demo) is in the file and works.
    from chuangwen.api.open311.services import key_authenticate

    accounts = _parse((empty_db.VAR_DIR / ACCOUNTS_FILE).read_text(encoding="utf-8"))
    (line,) = [a for a in accounts if a[0] == "open311"]
    assert line[1] == "client" and key_authenticate(line[2]).name == f"{empty_db.CITY_NAME}12345热线"


def test_second_run_adds_nothing_and_a_lost_file_gets_new_passwords(empty_db):
    path = load().path
    text = path.read_text(encoding="utf-8")
    counts = _counts()

    assert load().status == "present"
    assert _counts() == counts
    assert path.read_text(encoding="utf-8") == text

    path.unlink()
    last_entry = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert load().status == "reset"
    assert Unit.objects.count() == counts[0]
    old = {username: password for _, username, password, *_ in _parse(text)}
    new = {username: password for _, username, password, *_ in _parse(path.read_text(encoding="utf-8"))}
    assert new.keys() == old.keys() and all(new[u] != old[u] for u in new)
    assert all(User.objects.get(username=u).check_password(p) for u, p in new.items())
    resets = Entry.objects.filter(seq__gt=last_entry)
    assert list(resets.values_list("event", flat=True).distinct()) == ["password.reset"]
    assert resets.count() == len(new)


def test_invents_the_same_people_every_run_and_never_the_real_ones():
    first, second = CityBuilder("上川市"), CityBuilder("上川市")
    names = [first.invent_name() for _ in range(400)]
    assert names == [second.invent_name() for _ in range(400)]
    assert len(set(names)) == len(names) and not set(names) & set(data.REAL_NAMES)


def test_a_failed_load_leaves_nothing_behind(empty_db, monkeypatch):
    def fail(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(CityBuilder, "stationed", fail)
    with pytest.raises(RuntimeError):
        load()
    assert not Unit.objects.exists() and not User.objects.exists()
    assert not (empty_db.VAR_DIR / ACCOUNTS_FILE).exists()


@pytest.mark.django_db
def test_refuses_to_load_over_another_city(world, demo_settings):
    units = Unit.objects.count()
    with pytest.raises(DemoRefused):
        load()
    err = io.StringIO()
    call_command("load_demo", stdout=io.StringIO(), stderr=err)
    assert "未加载演示城市" in err.getvalue()
    assert Unit.objects.count() == units
    assert not (demo_settings.VAR_DIR / ACCOUNTS_FILE).exists()
