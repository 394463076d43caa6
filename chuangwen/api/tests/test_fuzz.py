"""D2: schemathesis generates requests from the OpenAPI document and runs them through the
WSGI app with a valid token; every response must match the document and none may be a 5xx."""

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from chuangwen.api.services import token_issue

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.specs.openapi.checks import (  # noqa: E402
    negative_data_rejection,
    positive_data_acceptance,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes "old" database connections at the start and end of a request;
    the test's transaction lives on that connection (Django's test client disconnects the same
    signals)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def hq_token(world, task_world):
    """HQ staff's token, with plans, tasks, a progress update and a handover to read (so list
    responses are checked against the document with real rows in them)."""
    return token_issue(person=world.hq, name="fuzz", actor=world.secadmin)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_never_fails_and_matches_its_document(case, hq_token):
    # All checks (including ignored_auth, which replays without and with a wrong token) but two:
    # positive_data_acceptance wants 2xx for every schema-valid request, and a cursor is an
    # opaque string whose garbage values are answered 422 on purpose; negative_data_rejection
    # wants a 4xx for "invalid" query strings such as an empty `after=` (a null in the
    # generator's eyes), which the API reads leniently as "no cursor".
    response = case.call_and_validate(headers={"Authorization": f"Bearer {hq_token}"},
                                      excluded_checks=[positive_data_acceptance, negative_data_rejection])
    assert response.status_code < 500, response.text
