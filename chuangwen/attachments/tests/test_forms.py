"""The multi-file form field: each file checked as the form validates, messages next to the
field, a cap on the count."""

import pytest
from django import forms
from django.utils.datastructures import MultiValueDict

from chuangwen.attachments.forms import MultipleFileField, PhotoField
from chuangwen.attachments.validation import IMAGE_KINDS

from . import samples
from .samples import upload


class ProgressForm(forms.Form):
    files = MultipleFileField(label="附件", required=False)


class PhotoForm(forms.Form):
    photos = MultipleFileField(label="照片", kinds=IMAGE_KINDS, max_files=3)


def bound(form_class, name, files):
    """A form bound to files as request.FILES carries them (a MultiValueDict)."""
    return form_class(data={}, files=MultiValueDict({name: files}))


def test_accepts_several_good_files():
    files = [upload("a.png", samples.png_bytes()), upload("b.pdf", samples.pdf_bytes())]
    form = bound(ProgressForm, "files", files)
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["files"]] == ["a.png", "b.pdf"]


def test_optional_field_gives_an_empty_list():
    form = ProgressForm(data={}, files={})
    assert form.is_valid()
    assert form.cleaned_data["files"] == []


def test_required_field_wants_a_file():
    form = PhotoForm(data={}, files={})
    assert not form.is_valid()
    assert "photos" in form.errors


def test_every_bad_file_is_named_next_to_the_field():
    files = [upload("a.png", samples.png_bytes()), upload("x.jpg", samples.exe_bytes()),
             upload("y.pdf", samples.png_bytes())]
    form = bound(ProgressForm, "files", files)
    assert not form.is_valid()
    errors = form.errors["files"]
    assert len(errors) == 2
    assert "文件“x.jpg”的类型不允许上传" in errors[0] and "文件“y.pdf”的扩展名(.pdf)与内容不符" in errors[1]


def test_caps_the_number_of_files():
    form = bound(PhotoForm, "photos", [upload(f"{i}.png", samples.png_bytes()) for i in range(4)])
    assert not form.is_valid()
    assert form.errors["photos"] == ["一次最多上传 3 个文件,您选择了 4 个。"]


def test_photo_field_takes_images_only():
    form = bound(PhotoForm, "photos", [upload("a.pdf", samples.pdf_bytes())])
    assert not form.is_valid()
    assert form.errors["photos"] == ["文件“a.pdf”的类型不允许上传:仅支持图片(JPG/PNG/GIF/WEBP)。"]


def test_widget_allows_multiple_and_hints_the_extensions():
    html = str(PhotoForm()["photos"])
    assert "multiple" in html
    assert 'accept=".jpg,.jpeg,.png,.gif,.webp"' in html


@pytest.mark.django_db
def test_service_reuses_the_form_check(world, unit_kind, monkeypatch):
    from django.db import transaction

    from chuangwen.attachments import validation
    from chuangwen.attachments.services import attachments_store

    form = bound(ProgressForm, "files", [upload("a.docx", samples.docx_bytes())])
    assert form.is_valid()
    monkeypatch.setattr(validation, "_check_ooxml", lambda *a: pytest.fail("checked twice"))
    with transaction.atomic():
        stored = attachments_store(form.cleaned_data["files"], owner_kind=unit_kind,
                                   owner_id=world.community.pk, actor=world.c1_liaison)
    assert stored[0].content_type.endswith("wordprocessingml.document")


class ReportForm(forms.Form):
    photos = PhotoField(label="现场照片")


def test_photo_field_takes_jpeg_png_and_webp():
    files = [upload("a.jpg", samples.phone_photo()), upload("b.png", samples.png_bytes()),
             upload("c.webp", samples.image_bytes("WEBP"))]
    form = bound(ReportForm, "photos", files)
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["photos"]] == ["a.jpg", "b.png", "c.webp"]


def test_photo_field_refuses_gif_pdf_and_polyglots_naming_each():
    files = [upload("a.gif", samples.image_bytes("GIF")), upload("b.pdf", samples.pdf_bytes()),
             upload("c.png", samples.png_bytes() + b"<?php system($_GET['c']); ?>")]
    form = bound(ReportForm, "photos", files)
    assert not form.is_valid()
    assert form.errors["photos"] == [
        "文件“a.gif”的类型不允许上传:仅支持图片(JPG/PNG/WEBP)。",
        "文件“b.pdf”的类型不允许上传:仅支持图片(JPG/PNG/WEBP)。",
        "文件“c.png”中夹带了网页或脚本代码,不是单纯的照片,不允许上传。",
    ]


def test_photo_field_caps_at_nine_photos():
    form = bound(ReportForm, "photos", [upload(f"{i}.png", samples.png_bytes()) for i in range(10)])
    assert not form.is_valid()
    assert form.errors["photos"] == ["一次最多上传 9 张照片,您选择了 10 张。"]


def test_photo_field_applies_the_photo_size_limit():
    data = samples.exact_size(samples.jpeg_bytes(), 10 * 1024 * 1024 + 1)
    form = bound(ReportForm, "photos", [upload("大.jpg", data)])
    assert not form.is_valid()
    assert "单个文件不能超过 10.0\xa0MB" in form.errors["photos"][0]


def test_photo_field_widget_offers_photo_types_jpeg_first():
    html = str(ReportForm()["photos"])
    assert 'accept="image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"' in html
    assert "multiple" in html and "required" in html


@pytest.mark.django_db
def test_photo_service_reuses_the_form_check(world, unit_kind, monkeypatch):
    from django.db import transaction

    from chuangwen.attachments import validation
    from chuangwen.attachments.services import photos_store

    form = bound(ReportForm, "photos", [upload("a.jpg", samples.phone_photo())])
    assert form.is_valid()
    monkeypatch.setattr(validation, "_check_image", lambda *a: pytest.fail("checked twice"))
    with transaction.atomic():
        [stored] = photos_store(form.cleaned_data["photos"], owner_kind=unit_kind,
                                owner_id=world.community.pk, actor=world.outsider, evidence=False)
    assert stored.content_type == "image/jpeg"
