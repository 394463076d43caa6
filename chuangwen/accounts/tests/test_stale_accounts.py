"""Idle accounts are disabled after ACCOUNT_STALE_DAYS (checklist A6)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.accounts.services import user_create
from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db


def active(*users) -> list[bool]:
    return [User.objects.get(pk=u.pk).is_active for u in users]


def test_disables_accounts_unused_for_90_days_and_no_others(world, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    used_once = user_create(username="used_once", full_name="甲", password=None)
    never = user_create(username="never", full_name="乙", password=None)
    recent = user_create(username="recent", full_name="丙", password=None)
    Client().force_login(used_once)  # sets last_login now

    time_machine.move_to(start + timedelta(days=80), tick=False)
    Client().force_login(recent)
    young = user_create(username="young", full_name="丁", password=None)

    time_machine.move_to(start + timedelta(days=91), tick=False)
    out = io.StringIO()
    call_command("disable_stale_accounts", stdout=out)
    assert active(used_once, never, recent, young) == [False, False, True, True]
    # The world's people never logged in either and were made before `start`: stale too,
    # superusers and administrators included.
    assert not User.objects.filter(is_active=True).exclude(username__in=["recent", "young"]).exists()
    entries = Entry.objects.filter(event="user.disable", object_id__in=[str(used_once.pk), str(never.pk)])
    assert entries.count() == 2
    assert {e.changes["reason"][1] for e in entries} == {"超过 90 天未登录,自动停用"}
    assert "used_once" in out.getvalue() and "young" not in out.getvalue()


def test_a_dry_run_changes_nothing(world, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=91), tick=False)
    before = Entry.objects.count()
    out = io.StringIO()
    call_command("disable_stale_accounts", "--dry-run", stdout=out)
    assert User.objects.filter(is_active=False).count() == 0
    assert Entry.objects.count() == before
    assert "将停用 c1_head" in out.getvalue()


def test_nothing_is_stale_within_90_days(world, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=89), tick=False)
    call_command("disable_stale_accounts", stdout=io.StringIO())
    assert not User.objects.filter(is_active=False).exists()


def test_the_chuangwen_command_passes_it_on(monkeypatch):
    # Run in-process, Django's command line would close the test's database connection, so
    # only the hand-over is checked here; the command itself is tested above.
    import django.core.management

    from chuangwen import cli

    seen = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", seen.append)
    cli.main(["disable_stale_accounts", "--dry-run"])
    assert seen == [["chuangwen", "disable_stale_accounts", "--dry-run"]]
