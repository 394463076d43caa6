"""Helpers shared by the API tests."""

API = "/api/v1"


def codes(response):
    assert response.status_code == 200, response.content
    return [t["code"] for t in response.json()["items"]]


def assert_error(response, status, code, message=None):
    """The one error shape, with `code` and (if given) `message` in its Chinese message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    if message is not None:
        assert message in body["error"]["message"], body
    return body["error"]


def unchanged(task):
    """A snapshot of what a refused write must leave alone."""
    task.refresh_from_db()
    return (
        task.status,
        task.version,
        task.progress,
        task.updates.count(),
        task.handovers.count(),
        task.events.count(),
    )
