import pytest

from chuangwen.attachments import access

UNIT_KIND = "test.unit"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores its files in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture
def unit_kind():
    """A test owner kind: files attached to an org unit, visible to whoever sees the unit."""
    from chuangwen.org.selectors import units_visible_to

    def can_view(user, owner_id):
        return units_visible_to(user).filter(pk=owner_id).exists()

    access.register(UNIT_KIND, "测试单位", can_view)
    yield UNIT_KIND
    access.unregister(UNIT_KIND)
