"""What may be uploaded is decided by content: real files pass, hostile ones are refused with a
message naming the file.  No database needed."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chuangwen.attachments.validation import IMAGE_KINDS, sanitize_name, validate_upload

from . import samples
from .samples import upload


def rejection(f, **kw) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_upload(f, **kw)
    return info.value


@pytest.mark.parametrize(("name", "make", "kind", "content_type"), [
    ("现场照片.png", samples.png_bytes, "png", "image/png"),
    ("现场照片.jpg", samples.jpeg_bytes, "jpeg", "image/jpeg"),
    ("IMG_0001.JPEG", samples.jpeg_bytes, "jpeg", "image/jpeg"),
    ("动图.gif", lambda: samples.image_bytes("GIF"), "gif", "image/gif"),
    ("照片.webp", lambda: samples.image_bytes("WEBP"), "webp", "image/webp"),
    ("通知.pdf", samples.pdf_bytes, "pdf", "application/pdf"),
    ("工作方案.docx", samples.docx_bytes, "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("任务台账.xlsx", samples.xlsx_bytes, "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("汇报.pptx", samples.pptx_bytes, "pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("旧方案.doc", lambda: samples.ole2_bytes("WordDocument"), "doc", "application/msword"),
    ("旧台账.xls", lambda: samples.ole2_bytes("Workbook"), "xls", "application/vnd.ms-excel"),
])
def test_accepts_real_files_and_reports_the_detected_type(name, make, kind, content_type):
    checked = validate_upload(upload(name, make(), content_type="text/html"))  # the client's claim is ignored
    assert (checked.kind.code, checked.content_type, checked.name) == (kind, content_type, name)


def test_rejects_an_executable_renamed_jpg_naming_the_file():
    error = rejection(upload("x.jpg", samples.exe_bytes(), "image/jpeg"))
    assert error.messages == ["文件“x.jpg”的类型不允许上传:仅支持图片(JPG/PNG/GIF/WEBP)、PDF 和 Office 文档。"]
    assert error.code == "type"


@pytest.mark.parametrize(("name", "content"), [
    ("a.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("a.jpg", b"<html><script>alert(1)</script></html>"),
    ("a.txt", "纯文本".encode()),
    ("a.zip", samples.rezip(None, {"a.txt": b"hello"})),
    ("a.msi", samples.ole2_bytes("SummaryInformation")),
    ("a.tif", samples.image_bytes("TIFF")),
    ("a.bmp", samples.image_bytes("BMP")),
])
def test_rejects_types_not_on_the_list(name, content):
    assert rejection(upload(name, content)).code == "type"


def test_rejects_a_png_renamed_pdf_saying_what_it_is():
    error = rejection(upload("报告.pdf", samples.png_bytes(), "application/pdf"))
    assert error.messages == ["文件“报告.pdf”的扩展名(.pdf)与内容不符:内容是 PNG 图片,扩展名应为 .png。"]
    assert error.code == "extension"


@pytest.mark.parametrize(("name", "make"), [
    ("台账.docx", samples.xlsx_bytes), ("方案.xlsx", samples.docx_bytes), ("照片.jpg", samples.png_bytes),
    ("旧台账.doc", lambda: samples.ole2_bytes("Workbook")), ("通知.docx", samples.pdf_bytes),
])
def test_rejects_an_extension_that_does_not_match_the_content(name, make):
    assert rejection(upload(name, make())).code == "extension"


def test_rejects_a_file_without_extension():
    error = rejection(upload("photo", samples.png_bytes()))
    assert error.messages == ["文件“photo”没有扩展名:内容是 PNG 图片,扩展名应为 .png。"]


def test_rejects_macro_enabled_workbook():
    error = rejection(upload("宏.xlsm", samples.xlsm_bytes()))
    assert error.code == "macro"
    assert "文件“宏.xlsm”含有宏" in error.messages[0]


def test_rejects_macro_workbook_renamed_xlsx():
    assert rejection(upload("宏.xlsx", samples.xlsm_bytes())).code == "macro"


def test_rejects_docx_carrying_a_vba_project():
    assert rejection(upload("方案.docx", samples.docx_with_vba_only())).code == "macro"


def test_rejects_legacy_document_with_vba_project():
    data = samples.ole2_bytes("WordDocument", "Macros", "VBA", "_VBA_PROJECT")
    assert rejection(upload("方案.doc", data)).code == "macro"


def test_rejects_password_protected_office_file():
    # Office saves an encrypted .docx as an OLE2 file holding "EncryptedPackage".
    error = rejection(upload("加密.docx", samples.ole2_bytes("EncryptionInfo", "EncryptedPackage")))
    assert error.code == "encrypted"


def test_rejects_a_zip_bomb_docx():
    data = samples.zip_bomb_docx(megabytes=40)
    assert len(data) < 200_000
    error = rejection(upload("炸弹.docx", data))
    assert error.messages == ["文件“炸弹.docx”解压后过大或压缩比异常,疑似恶意文件,不允许上传。"]


def test_rejects_a_zip_that_is_not_an_office_package():
    broken = samples.rezip(samples.docx_bytes(), {"word/document.xml": b""})
    content_types_without_main = samples.rezip(None, {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    })
    missing_main_part = samples.rezip(None, {
        "[Content_Types].xml": (
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Override PartName="/word/document.xml" ContentType="'
            b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
    })
    assert validate_upload(upload("ok.docx", broken)).kind.code == "docx"  # an empty part is Word's problem
    assert rejection(upload("a.docx", content_types_without_main)).code == "invalid"
    assert rejection(upload("a.docx", missing_main_part)).code == "invalid"
    assert rejection(upload("a.docx", samples.docx_bytes()[:2000])).code == "invalid"  # truncated


def test_rejects_content_types_with_an_xml_entity_bomb():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>')
    data = samples.rezip(samples.docx_bytes(), {"[Content_Types].xml": bomb})
    assert rejection(upload("a.docx", data)).code == "invalid"


def test_rejects_a_pixel_flood_png_before_decoding_it():
    data = samples.png_pixel_flood(20000, 20000)
    assert len(data) < 100
    error = rejection(upload("flood.png", data))
    assert error.code == "pixels"
    assert error.messages == ["文件“flood.png”的图片尺寸过大,不能超过 4000 万像素。"]


@pytest.mark.parametrize(("name", "fmt"), [("a.jpg", "JPEG"), ("a.png", "PNG"), ("a.gif", "GIF")])
def test_rejects_truncated_images(name, fmt):
    data = samples.image_bytes(fmt, size=(400, 300))
    assert rejection(upload(name, data[: len(data) // 2])).code == "invalid"


def test_rejects_bare_magic_bytes_pretending_to_be_an_image():
    assert rejection(upload("a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100)).code == "invalid"


@override_settings(ATTACHMENT_MAX_MB=0.001)  # 1,048 bytes
def test_rejects_a_file_over_the_size_limit_without_reading_it():
    class Unreadable:
        name, size = "大文件.pdf", 5000

        def read(self, *_):
            raise AssertionError("read before the size check")

        seek = read

    error = rejection(Unreadable())
    assert error.code == "size"
    assert error.messages[0].startswith("文件“大文件.pdf”太大了(")
    assert "单个文件不能超过" in error.messages[0]


@override_settings(ATTACHMENT_MAX_MB=0.001)
def test_accepts_a_file_at_the_size_limit():
    data = samples.pdf_bytes()
    data += b"%" * (1048 - len(data))
    assert validate_upload(upload("a.pdf", data)).size == 1048
    assert rejection(upload("a.pdf", data + b"%")).code == "size"


def test_rejects_an_empty_file():
    assert rejection(upload("空.pdf", b"")).code == "empty"


def test_images_only_when_the_field_asks_for_images():
    error = rejection(upload("a.pdf", samples.pdf_bytes()), kinds=IMAGE_KINDS)
    assert error.messages == ["文件“a.pdf”的类型不允许上传:仅支持图片(JPG/PNG/GIF/WEBP)。"]
    assert validate_upload(upload("a.png", samples.png_bytes()), kinds=IMAGE_KINDS).kind.code == "png"


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\a.png", "a.png"),
    ("/var/www/a.png", "a.png"),
    ("a\x00b\x7f.png", "ab.png"),
    ("line1\r\nline2.jpg", "line1 line2.jpg"),
    ("a\nb.png", "a b.png"),
    ("gpj\u202e.exe", "gpj.exe"),  # right-to-left override
    ("  .hidden.png  ", "hidden.png"),
    ('a<b>:"c"|?*.png', "a_b___c____.png"),
    ("..", "未命名"),
    ("", "未命名"),
    (None, "未命名"),
    ("tab\tand  spaces.pdf", "tab and spaces.pdf"),
])
def test_sanitizes_file_names(raw, clean):
    assert sanitize_name(raw) == clean


def test_sanitize_keeps_the_extension_of_a_long_name():
    name = sanitize_name("文" * 300 + ".docx")
    assert len(name) == 200 and name.endswith(".docx")
    assert len(sanitize_name("x" * 300)) == 200


def test_a_traversal_name_is_checked_by_its_last_part():
    checked = validate_upload(upload("../../etc/a.png", samples.png_bytes()))
    assert checked.name == "a.png"
