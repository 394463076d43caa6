"""API tokens: hashed at rest, refused when expired, revoked or their person is disabled."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from chuangwen.accounts.services import user_set_active
from chuangwen.api.models import ApiToken
from chuangwen.api.services import digest, token_issue, token_revoke
from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"]), body


def test_only_digest_and_prefix_are_stored_and_audit_never_holds_the_secret(world):
    token, plaintext = token_issue(person=world.hq, name="对接大屏", actor=world.secadmin)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    stored = json.dumps(row, default=str)
    assert plaintext not in stored
    secret_part = plaintext.split("_", 2)[2]
    assert len(secret_part) == 64
    assert secret_part not in stored
    assert row["digest"] == digest(plaintext) and row["prefix"] in plaintext
    audit = json.dumps(list(Entry.objects.values()), default=str, ensure_ascii=False)
    assert secret_part not in audit and row["digest"] not in audit
    assert Entry.objects.filter(event="apitoken.issue", object_id=str(token.pk)).count() == 1


def test_a_valid_token_is_accepted(world, api_client):
    assert api_client(world.hq)("/api/v1/units").status_code == 200


def test_expired_token_is_refused(world, api_client):
    _, plaintext = token_issue(person=world.hq, name="短期", days=1, actor=world.secadmin)
    get = api_client(world.hq, token=plaintext)
    assert get("/api/v1/units").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert_error_shape(get("/api/v1/units"), 401, "unauthenticated")


def test_revoked_token_is_refused(world, api_client):
    token, plaintext = token_issue(person=world.hq, name="将吊销", actor=world.secadmin)
    token_revoke(token=token, actor=world.secadmin)
    assert_error_shape(api_client(world.hq, token=plaintext)("/api/v1/units"), 401, "unauthenticated")


def test_token_of_a_disabled_person_is_refused(world, api_client):
    _, plaintext = token_issue(person=world.hq, name="停用", actor=world.secadmin)
    user_set_active(user=world.hq, active=False, actor=world.sysadmin)
    assert_error_shape(api_client(world.hq, token=plaintext)("/api/v1/units"), 401, "unauthenticated")


def test_only_the_security_administrator_issues_tokens(world):
    from django.core.exceptions import PermissionDenied

    for actor in (world.hq, world.sysadmin, world.auditor):
        with pytest.raises(PermissionDenied):
            token_issue(person=world.hq, name="x", actor=actor)


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Bearer garbage", "Token cw_abc_def", "Basic aGk6aGk=",
    "Bearer cw_0000000000_" + "x" * 43, "Bearer cw_", "Bearer cw__", "Bearer \u4e2d\u6587",
])
def test_missing_or_garbage_authorization_is_401_in_the_error_shape(world, client, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/api/v1/units", **extra)
    assert_error_shape(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_secret_with_a_real_prefix_is_refused(world, api_client):
    _, plaintext = token_issue(person=world.hq, name="篡改", actor=world.secadmin)
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    assert_error_shape(api_client(world.hq, token=tampered)("/api/v1/units"), 401, "unauthenticated")


def test_a_session_login_does_not_open_the_api(world, client, login):
    login(world.hq)
    assert_error_shape(client.get("/api/v1/units"), 401, "unauthenticated")
