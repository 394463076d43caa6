"""Photos are checked by content, re-encoded without any metadata, and give up their EXIF
evidence only when asked.  No database needed."""

import io
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from chuangwen.attachments.photos import (
    MAX_SIDE, PreparedPhoto, prepare_photo, prepare_photos, validate_photo,
)

from . import samples
from .samples import upload

MB = 1024 * 1024


def prepare(name="现场.jpg", data=None, *, keep_evidence=False) -> PreparedPhoto:
    return prepare_photo(upload(name, data if data is not None else samples.phone_photo()),
                         keep_evidence=keep_evidence)


def rejection(name, data, **kw) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        prepare_photo(upload(name, data), keep_evidence=kw.pop("keep_evidence", True), **kw)
    return info.value


def assert_bare_jpeg(content: bytes) -> None:
    """A baseline JFIF JPEG and nothing else: no EXIF, XMP, ICC, comment or trailing bytes."""
    with Image.open(io.BytesIO(content)) as im:
        assert im.format == "JPEG" and im.mode == "RGB"
        assert not im.getexif()
        assert set(im.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
    # SOI, APP0 (JFIF), quantisation and Huffman tables, frame, scan: no APP1/APP2/COM.
    assert set(samples.jpeg_marker_codes(content)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xDD, 0xDA}
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"ICC_PROFILE", b"HUAWEI", b"shot on site"):
        assert marker not in content
    assert content.endswith(b"\xff\xd9")


# --- what is stored -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [("现场.jpg", "JPEG"), ("现场.png", "PNG"), ("现场.webp", "WEBP")])
def test_every_photo_kind_is_re_encoded_to_a_bare_jpeg(name, fmt):
    photo = prepare(name, samples.phone_photo(fmt))
    assert photo.name == "现场.jpg" and photo.content_type == "image/jpeg"
    assert photo.original.kind.code == {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}[fmt]
    assert_bare_jpeg(photo.content)
    assert (photo.width, photo.height) == (64, 48)


def test_the_gps_exif_fixture_does_carry_what_must_be_stripped():
    """The fixture is honest: the original has EXIF with GPS, time and device."""
    with Image.open(io.BytesIO(samples.phone_photo())) as im:
        exif = im.getexif()
        assert exif[0x010F] == "HUAWEI" and exif.get_ifd(0x8825)[2]
        assert im.info["comment"] == b"shot on site" and "icc_profile" in im.info and "xmp" in im.info


def test_citizen_photo_keeps_no_metadata_at_all():
    photo = prepare(keep_evidence=False)
    assert photo.metadata is None and photo.kept_evidence is False
    assert_bare_jpeg(photo.content)


def test_staff_photo_gives_its_evidence_and_is_stripped_all_the_same():
    photo = prepare(keep_evidence=True)
    assert_bare_jpeg(photo.content)
    meta = photo.metadata
    assert abs(meta.gps_lat - Decimal(str(samples.SHOT_GPS[0]))) < Decimal("1e-6")
    assert abs(meta.gps_lng - Decimal(str(samples.SHOT_GPS[1]))) < Decimal("1e-6")
    assert meta.taken_at == datetime(2025, 5, 1, 1, 30, 15, tzinfo=dt_timezone.utc)
    assert meta.device == "HUAWEI P40"  # the make is not repeated
    assert meta.extracted_at.tzinfo is not None


def test_southern_and_western_hemispheres_are_negative():
    exif = samples.photo_exif(gps=(-33.8567844, -70.6482612))
    meta = prepare(data=samples.phone_photo(exif=exif), keep_evidence=True).metadata
    assert abs(meta.gps_lat - Decimal("-33.8567844")) < Decimal("1e-6")
    assert abs(meta.gps_lng - Decimal("-70.6482612")) < Decimal("1e-6")
    assert meta.taken_at is None and meta.device == ""


def test_time_without_offset_is_read_as_beijing_time():
    exif = samples.photo_exif(taken="2025:05:01 09:30:15", make="Xiaomi", model="2211133C")
    meta = prepare(data=samples.phone_photo(exif=exif), keep_evidence=True).metadata
    assert meta.taken_at == datetime(2025, 5, 1, 1, 30, 15, tzinfo=dt_timezone.utc)
    assert meta.device == "Xiaomi 2211133C"
    assert meta.gps_lat is None and meta.gps_lng is None


def test_time_with_another_offset_keeps_it():
    exif = samples.photo_exif(taken="2025:05:01 09:30:15", offset="-05:00")
    meta = prepare(data=samples.phone_photo(exif=exif), keep_evidence=True).metadata
    assert meta.taken_at.utcoffset() == timedelta(hours=-5)


def test_a_photo_without_exif_has_no_evidence_even_for_staff():
    photo = prepare(data=samples.jpeg_bytes(), keep_evidence=True)
    assert photo.metadata is None and photo.kept_evidence is True


@pytest.mark.parametrize("exif", [
    samples.photo_exif(taken="0000:00:00 00:00:00"),
    samples.photo_exif(taken="yesterday"),
    samples.photo_exif(gps=(0.0, 0.0)),  # a phone without a fix
])
def test_implausible_exif_is_left_out_and_the_photo_still_stored(exif):
    photo = prepare(data=samples.phone_photo(exif=exif), keep_evidence=True)
    assert photo.metadata is None
    assert_bare_jpeg(photo.content)


def test_broken_gps_rationals_are_left_out():
    from PIL import ExifTags
    from PIL.TiffImagePlugin import IFDRational

    exif = samples.photo_exif(gps=samples.SHOT_GPS, make="OPPO")
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (IFDRational(30, 0), IFDRational(1, 1))
    meta = prepare(data=samples.phone_photo(exif=exif), keep_evidence=True).metadata
    assert meta.gps_lat is None and meta.gps_lng is None and meta.device == "OPPO"


def test_exif_orientation_is_applied_then_dropped():
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise.  The left (red) half
    # of the stored pixels is the top of the photo as taken.
    exif = samples.photo_exif(orientation=6)
    data = samples.phone_photo(image=samples.two_tone((40, 20)), exif=exif, quality=95)
    photo = prepare(data=data)
    assert (photo.width, photo.height) == (20, 40)
    with Image.open(io.BytesIO(photo.content)) as im:
        top, bottom = im.getpixel((10, 5)), im.getpixel((10, 35))
        assert 0x0112 not in im.getexif()
    assert top[0] > 200 and top[2] < 60  # red
    assert bottom[2] > 200 and bottom[0] < 60  # blue


def test_transparent_png_is_flattened_on_white():
    photo = prepare("透明.png", samples.transparent_png())
    with Image.open(io.BytesIO(photo.content)) as im:
        assert im.mode == "RGB" and min(im.getpixel((5, 5))) >= 250


def test_sixteen_bit_greyscale_png_keeps_its_tones():
    buf = io.BytesIO()
    Image.new("I;16", (16, 16), 32768).save(buf, format="PNG")
    with Image.open(io.BytesIO(prepare("灰度.png", buf.getvalue()).content)) as im:
        assert 120 <= im.getpixel((4, 4))[0] <= 136  # mid grey, not clipped to white


def test_large_photo_is_shrunk_to_the_long_side_limit():
    data = samples.phone_photo(size=(MAX_SIDE + 904, 2500), exif=samples.photo_exif(), quality=60)
    photo = prepare(data=data)
    assert (photo.width, photo.height) == (MAX_SIDE, round(2500 * MAX_SIDE / (MAX_SIDE + 904)))


def test_multi_picture_jpeg_is_a_jpeg():
    """Android "Ultra HDR" photos carry a gain map as a second picture (MPO)."""
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(buf, format="MPO", save_all=True,
                                                    append_images=[Image.new("RGB", (20, 15))])
    photo = prepare("超清.jpg", buf.getvalue())
    assert_bare_jpeg(photo.content)
    assert (photo.width, photo.height) == (40, 30)


def test_trailing_bytes_of_a_valid_photo_are_not_stored():
    data = samples.phone_photo() + b"SEFH" + b"\x00\x01" * 500  # a phone's proprietary trailer
    photo = prepare(data=data)
    assert_bare_jpeg(photo.content)


def test_original_is_identified_by_its_own_hash():
    import hashlib

    data = samples.phone_photo()
    photo = prepare(data=data)
    assert photo.original_sha256 == hashlib.sha256(data).hexdigest()
    assert photo.original.size == len(data)
    assert hashlib.sha256(photo.content).hexdigest() != photo.original_sha256


# --- limits -----------------------------------------------------------------------------------

def test_a_photo_of_exactly_ten_megabytes_is_accepted():
    photo = prepare(data=samples.exact_size(samples.phone_photo(), 10 * MB))
    assert photo.original.size == 10 * MB
    assert photo.size < 10_000


def test_ten_megabytes_and_one_byte_is_refused_before_reading():
    class Unreadable:
        name, size = "大照片.jpg", 10 * MB + 1

        def read(self, *_):
            raise AssertionError("read before the size check")

        seek = read

    with pytest.raises(ValidationError) as info:
        prepare_photo(Unreadable(), keep_evidence=False)
    assert info.value.code == "size"
    assert info.value.messages[0].startswith("文件“大照片.jpg”太大了(")
    assert "单个文件不能超过 10.0\xa0MB" in info.value.messages[0]


def test_ten_megabytes_and_one_byte_of_real_photo_is_refused():
    error = rejection("大照片.jpg", samples.exact_size(samples.phone_photo(), 10 * MB + 1))
    assert error.code == "size"


@override_settings(PHOTO_MAX_MB=0.01)
def test_the_limit_is_a_setting():
    data = samples.phone_photo(size=(200, 150), exif=samples.photo_exif())
    assert len(data) < 10_000
    assert prepare(data=data)
    assert rejection("a.jpg", samples.exact_size(data, 10_486)).code == "size"


def test_the_photo_limit_is_its_own_not_the_attachment_limit():
    """A 15 MB photo is refused although a 15 MB attachment would be accepted (20 MB)."""
    assert rejection("a.jpg", samples.exact_size(samples.jpeg_bytes(), 15 * MB)).code == "size"


def test_pixel_flood_is_refused_before_any_pixel_is_decoded(monkeypatch):
    from PIL import ImageFile

    def no_decoding(self):
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    data = samples.png_pixel_flood(20000, 20000)
    assert len(data) < 100
    error = rejection("flood.png", data)
    assert error.code == "pixels"
    assert error.messages == ["文件“flood.png”的图片尺寸过大,不能超过 4000 万像素。"]


def test_pillow_guard_is_set_to_the_same_cap():
    from chuangwen.attachments.validation import MAX_IMAGE_PIXELS

    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS == 40_000_000


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's guard warns first
def test_a_flood_just_over_the_cap_names_its_size():
    error = rejection("flood.png", samples.png_pixel_flood(8000, 5001))
    assert error.messages == ["文件“flood.png”的图片尺寸过大(8000×5001 像素),不能超过 4000 万像素。"]


def test_ten_photos_are_refused_before_any_is_read():
    class Unreadable:
        size = 100

        def read(self, *_):
            raise AssertionError("read before the count check")

        seek = read

    with pytest.raises(ValidationError) as info:
        prepare_photos([Unreadable() for _ in range(10)], keep_evidence=False)
    assert info.value.messages == ["一次最多上传 9 张照片,您选择了 10 张。"]


def test_several_photos_report_every_rejection_together():
    photos = [upload("一.jpg", samples.phone_photo()), upload("二.jpg", samples.exe_bytes()),
              upload("三.png", samples.png_bytes() + b"<?php echo 1; ?>")]
    with pytest.raises(ValidationError) as info:
        prepare_photos(photos, keep_evidence=False)
    assert len(info.value.messages) == 2
    assert "二.jpg" in info.value.messages[0] and "三.png" in info.value.messages[1]


def test_a_photo_prepared_without_evidence_cannot_be_stored_as_evidence():
    photo = prepare(keep_evidence=False)
    with pytest.raises(ValueError, match="keep_evidence"):
        prepare_photos([photo], keep_evidence=True)
    assert prepare_photos([photo], keep_evidence=False) == [photo]


# --- hostile files ----------------------------------------------------------------------------

HOSTILE = samples.hostile_photos()


@pytest.mark.parametrize(("case", "code", "name", "data"), HOSTILE, ids=[case for case, *_ in HOSTILE])
def test_hostile_file_is_refused_with_a_message_naming_it(case, code, name, data):
    error = rejection(name, data)
    assert error.code == code
    assert len(error.messages) == 1
    assert error.messages[0].startswith(f"文件“{name}”"), error.messages


@pytest.mark.parametrize(("case", "code", "name", "data"), HOSTILE, ids=[case for case, *_ in HOSTILE])
def test_the_form_check_refuses_the_same_hostile_files(case, code, name, data):
    with pytest.raises(ValidationError) as info:
        validate_photo(upload(name, data))
    assert info.value.code == code


def test_the_hostile_corpus_is_large_enough():
    assert len(HOSTILE) >= 20


def test_polyglots_are_refused_as_such():
    for name, data in [("a.png", samples.png_bytes() + b"<?php system($_GET['c']); ?>"),
                       ("a.jpg", samples.jpeg_bytes() + b"<HTML><BODY>x</BODY></HTML>"),
                       ("a.jpg", samples.jpeg_bytes() + samples.rezip(None, {"a": b"b"}))]:
        error = rejection(name, data)
        assert error.code == "polyglot"
        assert "不是单纯的照片" in error.messages[0]


def test_gif_and_pdf_are_not_photos():
    error = rejection("a.gif", samples.image_bytes("GIF"))
    assert error.messages == ["文件“a.gif”的类型不允许上传:仅支持图片(JPG/PNG/WEBP)。"]


def test_an_image_that_fails_to_decode_is_a_validation_error_not_a_crash(monkeypatch):
    from chuangwen.attachments import photos

    def out_of_memory(im):
        raise MemoryError

    monkeypatch.setattr(photos, "_render", out_of_memory)
    error = rejection("a.jpg", samples.phone_photo())
    assert error.code == "invalid"
    assert error.messages == ["文件“a.jpg”不是有效的 JPG 图片(无法读取图像内容)。"]


def test_the_form_check_caches_the_upload_check_for_the_same_limit():
    f = upload("a.jpg", samples.phone_photo())
    checked = validate_photo(f)
    assert validate_photo(f) is checked
    assert prepare_photo(f, keep_evidence=False).original is checked
