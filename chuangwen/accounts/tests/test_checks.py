"""System checks: our own (superusers, default account names) and Django's deploy checks."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks

from chuangwen.accounts.models import User

MANAGE = os.path.join(django_settings.BASE_DIR, "manage.py")


def check_ids() -> set[str]:
    return {message.id for message in run_checks()}


@pytest.mark.django_db
def test_no_errors_for_the_test_world(world):
    assert not {i for i in check_ids() if i and i.startswith("chuangwen.")}


@pytest.mark.django_db
def test_e001_fires_for_an_active_superuser_with_debug_off(world, settings):
    settings.DEBUG = False
    User.objects.create(username="superman", full_name="超级用户", is_superuser=True)
    messages = [m for m in run_checks() if m.id == "chuangwen.E001"]
    assert len(messages) == 1 and "superman" in messages[0].msg


@pytest.mark.django_db
def test_e001_ignores_a_disabled_superuser(world, settings):
    settings.DEBUG = False
    User.objects.create(username="superman", full_name="超级用户", is_superuser=True, is_active=False)
    assert "chuangwen.E001" not in check_ids()


@pytest.mark.django_db
def test_e001_allows_a_superuser_in_development(world, settings):
    settings.DEBUG = True
    User.objects.create(username="superman", full_name="超级用户", is_superuser=True)
    assert "chuangwen.E001" not in check_ids()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin", "root", "test", "guest", "administrator"])
def test_e002_fires_for_an_active_account_with_a_default_name(world, settings, name):
    settings.DEBUG = False
    User.objects.create(username=name, full_name="默认账号")
    assert "chuangwen.E002" in check_ids()


def _deploy_check(tmp_path, clean_env, **env) -> subprocess.CompletedProcess:
    environ = dict(clean_env)
    environ.update(
        CHUANGWEN_VAR_DIR=str(tmp_path),
        CHUANGWEN_SECRET_KEY=secrets.token_urlsafe(64),
        CHUANGWEN_ALLOWED_HOSTS="example.org",
        **env,
    )
    return subprocess.run(
        [sys.executable, MANAGE, "check", "--deploy", "--fail-level", "WARNING"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_are_clean_with_https_on(tmp_path, clean_env):
    result = _deploy_check(tmp_path, clean_env, CHUANGWEN_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_catch_a_plain_http_setup(tmp_path, clean_env):
    # The control: the same command fails when HTTPS is off, so the test above can fail.
    result = _deploy_check(tmp_path, clean_env, CHUANGWEN_HTTPS="0")
    assert result.returncode != 0
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_https_settings_use_host_prefixed_secure_cookies(tmp_path, clean_env):
    environ = dict(clean_env)
    environ.update(
        CHUANGWEN_VAR_DIR=str(tmp_path),
        CHUANGWEN_SECRET_KEY=secrets.token_urlsafe(64),
        CHUANGWEN_HTTPS="1",
        DJANGO_SETTINGS_MODULE="chuangwen.settings",
    )
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "31536000",
        "True",
    ], result.stderr
