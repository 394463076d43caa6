import pytest

from .scenario import build_september


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def sept(world):
    """September 2026 built through the real services (see scenario.py)."""
    return build_september(world)
