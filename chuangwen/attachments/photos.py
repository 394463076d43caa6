"""Photos: checked by content, re-encoded, and stored without a byte of metadata.

`prepare_photo(f, keep_evidence=...)` turns one uploaded photo into a `PreparedPhoto`:

1. the upload checks (`validate_upload`) with photo kinds only (JPEG, PNG, WebP) and the photo
   size limit (PHOTO_MAX_MB); the pixel cap refuses floods before any pixel is decoded;
2. a scan of the raw bytes for web pages, scripts and archives riding along (polyglots):
   refused, although step 4 would drop them anyway;
3. with `keep_evidence`, the EXIF facts worth keeping (when, where, which device), read
   before anything else touches the image; without it EXIF is never parsed beyond the
   orientation;
4. decode, turn upright (EXIF orientation), flatten transparency on white, shrink to at most
   MAX_SIDE pixels on the long side, and encode a new baseline JPEG.  The new file carries
   no EXIF, XMP, ICC profile, comment or trailing bytes: Pillow writes only what it is given,
   and it is given pixels.

The stored file is therefore always safe to show to anyone who may see its owner: the
evidence of a staff photo (time, GPS, device) lives only in a `PhotoEvidence` row.

ICC profiles are dropped, not converted: a wide-gamut photo (Display P3) then shows slightly
duller colours, which a photo of a pothole survives, and no hostile colour profile ever
reaches the colour engine.
"""

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from .validation import KINDS, MAX_IMAGE_PIXELS, Checked, _reject, _too_many_pixels, validate_upload

PHOTO_KINDS = frozenset({"jpeg", "png", "webp"})
MAX_PHOTOS = 9  # per report: the nine-photo grid people know from WeChat
MAX_SIDE = 4096  # a 4096 × 3072 JPEG is ~2-4 MB at quality 85 and shows every detail on site
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"
DEVICE_MAX = 100
GPS_PLACES = Decimal("0.0000001")  # 7 decimal places: about 1 cm, finer than any phone's fix

# What makes a file a polyglot worth refusing: markup a browser or PHP would run, or a ZIP
# (JAR, APK) whose directory sits at the end of the file.  Every pattern is long enough that
# random compressed bytes match it less than once in 100,000 ten-megabyte photos.
_MARKUP = re.compile(rb"<(?:\?php\s|script|html[\s>]|body[\s>]|iframe|!doctype\s+html)|javascript:")
_ZIP_END = b"PK\x05\x06"
_ZIP_END_WINDOW = 65_535 + 22  # the end-of-central-directory record: within this of the end


def photo_max_bytes() -> int:
    return int(settings.PHOTO_MAX_MB * 1024 * 1024)


@dataclass(frozen=True)
class PhotoMetadata:
    """What the device wrote about the shot, as it wrote it: the time in its own clock (with
    its UTC offset if recorded, else Asia/Shanghai), GPS in decimal degrees of its own datum
    (WGS-84 for phones; Chinese maps use GCJ-02 and need converting for display)."""

    taken_at: datetime | None = None
    gps_lat: Decimal | None = None
    gps_lng: Decimal | None = None
    device: str = ""
    extracted_at: datetime = field(default_factory=timezone.now)

    def __bool__(self) -> bool:
        return self.taken_at is not None or self.gps_lat is not None or bool(self.device)


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked, re-encoded photo, ready for `photo_store`.  `metadata` is None unless it was
    prepared with keep_evidence=True and the photo carried something worth keeping."""

    name: str  # the upload's sanitised name, with the extension .jpg
    content: bytes
    width: int
    height: int
    original: Checked
    original_sha256: str
    kept_evidence: bool
    metadata: PhotoMetadata | None
    content_type: str = CONTENT_TYPE

    @property
    def size(self) -> int:
        return len(self.content)

    def file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def validate_photo(f) -> Checked:
    """The checks without re-encoding (a form field's early answer): kind, size, pixels,
    decodability and no polyglot.  Raises ValidationError naming the file."""
    checked = validate_upload(f, kinds=PHOTO_KINDS, max_bytes=photo_max_bytes())
    f.seek(0)
    _refuse_polyglot(f.read(), checked.name)
    f.seek(0)
    return checked


def prepare_photo(f, *, keep_evidence: bool) -> PreparedPhoto:
    """Check and re-encode one uploaded photo (see the module docstring).  Pure: no database,
    no file written.  Raises ValidationError with a Chinese message naming the file."""
    from PIL import Image

    checked = validate_upload(f, kinds=PHOTO_KINDS, max_bytes=photo_max_bytes())
    name = checked.name
    f.seek(0)
    data = f.read()
    f.seek(0)
    if len(data) != checked.size:
        raise _reject(name, "在上传过程中发生变化,请重新上传。", "changed")
    _refuse_polyglot(data, name)
    try:
        with Image.open(io.BytesIO(data)) as im:
            # The same bytes passed the pixel cap in validate_upload; checked again because
            # decoding is about to happen and costs memory in proportion.
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(name, im.size)
            metadata = _read_metadata(im) if keep_evidence else None
            out = _render(im)
            buf = io.BytesIO()
            out.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            width, height = out.size
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many types; MemoryError included: a 400, not a 500
        raise _reject(name, f"不是有效的 {checked.kind.label}(无法读取图像内容)。", "invalid") from exc
    return PreparedPhoto(
        name=_jpeg_name(name), content=buf.getvalue(), width=width, height=height, original=checked,
        original_sha256=hashlib.sha256(data).hexdigest(), kept_evidence=keep_evidence,
        metadata=metadata or None,
    )


def prepare_photos(
    photos: Iterable, *, keep_evidence: bool, max_files: int = MAX_PHOTOS
) -> list[PreparedPhoto]:
    """Prepare several photos, reporting every rejection together.  Items already prepared
    pass through (see `services.photos_store`)."""
    photos = list(photos)
    if len(photos) > max_files:
        raise ValidationError(f"一次最多上传 {max_files} 张照片,您选择了 {len(photos)} 张。", code="count")
    prepared, errors = [], []
    for photo in photos:
        if isinstance(photo, PreparedPhoto):
            if keep_evidence and not photo.kept_evidence:
                raise ValueError("the photo was prepared without keep_evidence; its metadata is gone")
            prepared.append(photo)
            continue
        try:
            prepared.append(prepare_photo(photo, keep_evidence=keep_evidence))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return prepared


# --- checks -----------------------------------------------------------------------------------

def _refuse_polyglot(data: bytes, name: str) -> None:
    if _MARKUP.search(data.lower()):
        raise _reject(name, "中夹带了网页或脚本代码,不是单纯的照片,不允许上传。", "polyglot")
    if _ZIP_END in data[-_ZIP_END_WINDOW:]:
        raise _reject(name, "中夹带了压缩包,不是单纯的照片,不允许上传。", "polyglot")


def _jpeg_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in {e for code in PHOTO_KINDS for e in KINDS[code].extensions}:
        return f"{stem}.jpg"
    return f"{name}.jpg"  # pragma: no cover  (validate_upload insists on a matching extension)


# --- pixels -----------------------------------------------------------------------------------

def _render(im):
    """The upright, opaque RGB image at most MAX_SIDE on the long side, with empty `info`.
    Shrunk before transparency is flattened: a 40 MP RGBA PNG is 160 MB decoded, and every
    full-size copy would cost as much again."""
    from PIL import Image, ImageOps

    if im.format in ("JPEG", "MPO") and max(im.size) > MAX_SIDE:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale while the result stays ≥ MAX_SIDE.
        k = MAX_SIDE / max(im.size)
        im.draft("RGB", (max(1, int(im.width * k) + 1), max(1, int(im.height * k) + 1)))
    im.load()  # the first frame of an animated PNG/WebP
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except Exception:  # a broken EXIF block: the pixels as stored
        pass
    if im.mode in ("I", "F") or im.mode.startswith("I;16"):  # 16-bit greyscale PNG
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    transparent = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    target = "RGBA" if transparent else "RGB"
    if im.mode != target:
        im = im.convert(target)
    im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if transparent:
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    im.info = {}  # EXIF, XMP, ICC, comments, DPI: none of it is written
    return im


# --- metadata ---------------------------------------------------------------------------------

def _read_metadata(im) -> PhotoMetadata | None:
    """The evidence in the EXIF block; anything missing, malformed or implausible is left out
    (a photo without usable EXIF is still a photo)."""
    from PIL import ExifTags

    try:
        exif = im.getexif()
    except Exception:
        return None
    taken_at = _safely(_taken_at, exif.get_ifd, ExifTags.IFD.Exif)
    lat_lng = _safely(_gps, exif.get_ifd, ExifTags.IFD.GPSInfo) or (None, None)
    device = _safely(_device, lambda: exif) or ""
    return PhotoMetadata(taken_at=taken_at, gps_lat=lat_lng[0], gps_lng=lat_lng[1], device=device) or None


def _safely(read, source, *args):
    try:
        return read(source(*args))
    except Exception:
        return None


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    value = "".join(ch for ch in value if ch.isprintable())
    return " ".join(value.split())


def _taken_at(ifd) -> datetime | None:
    from PIL import ExifTags

    raw = _text(ifd.get(ExifTags.Base.DateTimeOriginal))
    if not raw:
        return None
    moment = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")  # "0000:00:00 00:00:00": ValueError
    offset = re.fullmatch(r"([+-])(\d\d):(\d\d)", _text(ifd.get(ExifTags.Base.OffsetTimeOriginal)))
    if offset:
        sign = 1 if offset[1] == "+" else -1
        minutes = int(offset[2]) * 60 + int(offset[3])
        if minutes <= 14 * 60:
            return moment.replace(tzinfo=dt_timezone(sign * timedelta(minutes=minutes)))
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _gps(ifd) -> tuple[Decimal, Decimal] | None:
    from PIL import ExifTags

    lat = _degrees(ifd.get(ExifTags.GPS.GPSLatitude), ifd.get(ExifTags.GPS.GPSLatitudeRef), "NS", 90)
    lng = _degrees(ifd.get(ExifTags.GPS.GPSLongitude), ifd.get(ExifTags.GPS.GPSLongitudeRef), "EW", 180)
    if lat is None or lng is None or (lat == 0 and lng == 0):  # 0, 0: a device without a fix
        return None
    return lat, lng


def _degrees(value, ref, refs: str, limit: int) -> Decimal | None:
    """EXIF degrees, minutes, seconds (rationals) and a hemisphere letter → signed decimal."""
    ref = _text(ref).upper()[:1]
    if not ref or ref not in refs or not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    total = Fraction(0)
    for part, unit in zip(value, (1, 60, 3600), strict=False):
        numerator, denominator = getattr(part, "numerator", part), getattr(part, "denominator", 1)
        if not denominator:
            return None
        part = Fraction(numerator) / Fraction(denominator)
        if part < 0:
            return None
        total += part / unit
    if total > limit:
        return None
    degrees = (Decimal(total.numerator) / Decimal(total.denominator)).quantize(GPS_PLACES, ROUND_HALF_EVEN)
    return -degrees if ref == refs[1] else degrees


def _device(exif) -> str:
    from PIL import ExifTags

    make, model = _text(exif.get(ExifTags.Base.Make)), _text(exif.get(ExifTags.Base.Model))
    device = model if model.lower().startswith(make.lower()) else f"{make} {model}".strip()
    return device[:DEVICE_MAX]
