import pytest

from chuangwen.api.services import token_issue


@pytest.fixture
def api_client(client, world):
    """api_client(person) -> a function get(path, **params) sending that person's fresh token."""

    def for_person(person, *, token=None):
        if token is None:
            _, token = token_issue(person=person, name="测试", actor=world.secadmin)

        def get(path, params=None, **extra):
            return client.get(path, params or {}, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)

        return get

    return for_person
