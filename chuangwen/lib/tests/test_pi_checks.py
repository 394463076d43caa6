"""The system check on the personal-information keys."""

import pytest

from chuangwen.lib.pi.checks import pi_keys as check_pi_keys
from chuangwen.lib.secretfile import read_or_create

from .pi_support import pi_keys  # noqa: F401  (fixture)


def _ids(errors):
    return sorted(e.id for e in errors)


def test_a_good_key_and_a_missing_one_to_be_created_pass(pi_keys):
    assert check_pi_keys(None) == []  # not there yet: created on first use
    read_or_create(pi_keys.PI_KEY_FILE, 32)
    assert check_pi_keys(None) == []


@pytest.mark.parametrize(("content", "message"), [("ab" * 16, "16 bytes"), ("zz" * 32, "not hexadecimal"),
                                                  ("", "0 bytes"), ("ab" * 40, "40 bytes")])
def test_a_key_that_is_not_32_bytes_of_hex_is_an_error(pi_keys, content, message):
    pi_keys.PI_KEY_FILE.write_text(content)
    pi_keys.PI_KEY_FILE.chmod(0o600)
    errors = check_pi_keys(None)
    assert _ids(errors) == ["lib.E002"] and message in errors[0].msg


def test_an_unreadable_or_repeated_old_key_is_an_error(pi_keys, tmp_path):
    read_or_create(pi_keys.PI_KEY_FILE, 32)
    pi_keys.PI_OLD_KEY_FILES = [tmp_path / "gone.key"]
    assert _ids(check_pi_keys(None)) == ["lib.E002"]
    pi_keys.PI_OLD_KEY_FILES = [pi_keys.PI_KEY_FILE]
    assert _ids(check_pi_keys(None)) == ["lib.E003"]


def test_a_key_others_can_read_is_a_warning(pi_keys):
    read_or_create(pi_keys.PI_KEY_FILE, 32)
    pi_keys.PI_KEY_FILE.chmod(0o644)
    assert _ids(check_pi_keys(None)) == ["lib.W001"]


def test_a_key_that_cannot_be_created_is_an_error(pi_keys, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    pi_keys.PI_KEY_FILE = blocker / "pi.key"
    assert _ids(check_pi_keys(None)) == ["lib.E001"]
