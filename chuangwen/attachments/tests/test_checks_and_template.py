"""System checks for the settings, and the list include."""

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.test import override_settings

from chuangwen.attachments.checks import attachment_settings
from chuangwen.attachments.selectors import attachment_url, attachments_for
from chuangwen.attachments.services import attachment_store

from . import samples
from .samples import upload


def error_ids(**overrides):
    with override_settings(**overrides):
        return [e.id for e in attachment_settings(None)]


def test_default_settings_pass():
    assert error_ids() == []


def test_media_root_inside_static_root_is_an_error(settings):
    assert "attachments.E003" in error_ids(MEDIA_ROOT=settings.STATIC_ROOT / "files")
    assert "attachments.E003" in error_ids(MEDIA_ROOT=settings.STATICFILES_DIRS[0])


@pytest.mark.parametrize("value", [0, -1, "20"])
def test_bad_size_limit_is_an_error(value):
    assert error_ids(ATTACHMENT_MAX_MB=value) == ["attachments.E001"]


@pytest.mark.parametrize("value", [0, -1, "10", None])
def test_bad_photo_size_limit_is_an_error(value):
    assert error_ids(PHOTO_MAX_MB=value) == ["attachments.E004"]


@pytest.mark.django_db
def test_list_include_shows_names_sizes_links_and_thumbnails(world, unit_kind):
    with transaction.atomic():
        photo = attachment_store(upload("整改<前>.png", samples.png_bytes()), owner_kind=unit_kind,
                                 owner_id=world.community.pk, actor=world.hq)
        plan = attachment_store(upload("方案.docx", samples.docx_bytes()), owner_kind=unit_kind,
                                owner_id=world.community.pk, actor=world.hq)
    files = attachments_for(unit_kind, [world.community.pk])[world.community.pk]
    html = render_to_string("attachments/_list.html", {"attachments": files})
    assert f'<img src="{attachment_url(photo)}" alt="整改_前_.png"' in html
    assert f'<a href="{attachment_url(plan)}" download' in html
    assert "方案.docx" in html and "KB" in html
    assert "style=" not in html and "<script" not in html


def test_list_include_empty_text():
    assert "暂无附件" in render_to_string("attachments/_list.html", {"attachments": [], "empty_text": "暂无附件"})
    assert render_to_string("attachments/_list.html", {"attachments": []}).strip() == ""
