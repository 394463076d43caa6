"""Real files made on the spot (Pillow, python-docx, openpyxl) and hostile ones."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """The client's content type is whatever it claims; the checks never read it."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def image_bytes(fmt: str = "PNG", size=(32, 24), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def png_bytes(**kw) -> bytes:
    return image_bytes("PNG", **kw)


def jpeg_bytes(**kw) -> bytes:
    return image_bytes("JPEG", **kw)


def pdf_bytes(text: str = "Hello") -> bytes:
    """A small but complete PDF: header, catalog, page, content stream, xref, trailer."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(text: str = "创文工作进度") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["单位", "进度"])
    wb.active.append(["和平社区", 80])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pptx_bytes() -> bytes:
    """A minimal presentation package (python-pptx is not a dependency)."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/ppt/presentation.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'
    )
    return rezip(None, {"[Content_Types].xml": ct.encode(), "ppt/presentation.xml": b"<p:presentation/>"})


def rezip(original: bytes | None, replace: dict[str, bytes], *, extra_compressed=None) -> bytes:
    """A copy of a ZIP with some members replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        if original:
            with zipfile.ZipFile(io.BytesIO(original)) as src:
                for info in src.infolist():
                    if info.filename not in replace:
                        dst.writestr(info, src.read(info.filename))
        for name, data in replace.items():
            dst.writestr(name, data)
        for name, chunks in (extra_compressed or {}).items():
            with dst.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return out.getvalue()


def xlsm_bytes() -> bytes:
    """An .xlsx turned macro-enabled: the main part's type and a VBA project."""
    original = xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as zf:
        ct = zf.read("[Content_Types].xml").decode()
    ct = ct.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace(
        "</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    return rezip(original, {"[Content_Types].xml": ct.encode(), "xl/vbaProject.bin": b"\xcc" * 512})


def docx_with_vba_only() -> bytes:
    """A .docx whose content types look clean but which carries a vbaProject.bin."""
    return rezip(docx_bytes(), {"word/vbaProject.bin": b"\xcc" * 512})


def zip_bomb_docx(megabytes: int = 40) -> bytes:
    """A real .docx with one member of zeros that deflates about 1,000 to 1."""
    zeros = b"\0" * (1024 * 1024)
    return rezip(docx_bytes(), {}, extra_compressed={"word/media/image1.bin": [zeros] * megabytes})


def ole2_bytes(*stream_names: str) -> bytes:
    """An OLE2 compound-file header and directory entries with the given stream names (enough
    for the checks, which look at the signature and the names)."""
    out = bytearray(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    for name in ("Root Entry", *stream_names):
        encoded = (name + "\0").encode("utf-16-le")
        entry = encoded.ljust(64, b"\0") + struct.pack("<H", len(encoded)) + b"\x02" + b"\0" * 61
        out += entry
    return bytes(out.ljust(4096, b"\0"))


def exe_bytes() -> bytes:
    """A Windows executable's first bytes: MZ header pointing at a PE signature."""
    header = bytearray(b"MZ" + b"\0" * 126)
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    return bytes(header) + b"PE\0\0" + b"\x4c\x01" + b"\0" * 1000


def png_pixel_flood(width: int = 20000, height: int = 20000) -> bytes:
    """A few-byte PNG that claims to be 400 megapixels (IHDR patched, CRC fixed)."""
    data = bytearray(png_bytes(size=(1, 1)))
    ihdr = 8 + 8  # signature, chunk length + type
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:ihdr + 13]))
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


# --- photos ---------------------------------------------------------------------------------------

def _dms(value: float):
    """Decimal degrees → EXIF degrees, minutes, seconds (rationals, seconds to 1/10,000)."""
    from PIL.TiffImagePlugin import IFDRational

    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10_000), 10_000)


def photo_exif(*, gps=None, taken=None, offset=None, make=None, model=None, orientation=None):
    """An EXIF block as a phone writes it: IFD0 (device, orientation), the Exif IFD (time) and
    the GPS IFD (0x8825) with hemisphere letters and degrees/minutes/seconds."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    if make:
        exif[ExifTags.Base.Make] = make
    if model:
        exif[ExifTags.Base.Model] = model
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if taken or offset:
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
        if taken:
            ifd[ExifTags.Base.DateTimeOriginal] = taken
        if offset:
            ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        lat, lng = gps
        ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        ifd[ExifTags.GPS.GPSVersionID] = b"\x02\x02\x00\x00"
        ifd[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        ifd[ExifTags.GPS.GPSLatitude] = _dms(lat)
        ifd[ExifTags.GPS.GPSLongitudeRef] = "E" if lng >= 0 else "W"
        ifd[ExifTags.GPS.GPSLongitude] = _dms(lng)
        ifd[ExifTags.GPS.GPSMapDatum] = "WGS-84"
    return exif


SHOT_AT = "2025:05:01 09:30:15"
SHOT_GPS = (30.5728456, 104.0668123)  # 成都天府广场


def phone_photo(fmt: str = "JPEG", size=(64, 48), *, exif=None, image=None, **save) -> bytes:
    """A photo with a phone's EXIF (GPS, time, device) unless told otherwise, plus an XMP
    packet, an ICC profile and a comment: everything a stored copy must not carry."""
    from PIL import Image, ImageCms

    im = image or Image.new("RGB", size, (120, 160, 200))
    if exif is None:
        exif = photo_exif(gps=SHOT_GPS, taken=SHOT_AT, offset="+08:00", make="HUAWEI", model="HUAWEI P40")
    buf = io.BytesIO()
    save.setdefault("exif", exif)
    if fmt == "JPEG":
        save.setdefault("comment", b"shot on site")
        save.setdefault("xmp", b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
        save.setdefault("icc_profile", ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    im.save(buf, format=fmt, **save)
    return buf.getvalue()


def two_tone(size=(40, 20), left=(255, 0, 0), right=(0, 0, 255)):
    """Left half one colour, right half another: shows which way an image was turned."""
    from PIL import Image

    im = Image.new("RGB", size, right)
    im.paste(Image.new("RGB", (size[0] // 2, size[1]), left), (0, 0))
    return im


def transparent_png(size=(32, 24)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_pixel_flood(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny JPEG whose frame header (SOF0) claims `width` × `height`."""
    data = bytearray(jpeg_bytes(size=(8, 8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_marker_codes(data: bytes) -> list[int]:
    """The segment markers of a JPEG up to the image data (SOS), in order."""
    codes, pos = [], 2
    assert data[:2] == b"\xff\xd8"
    while pos < len(data):
        assert data[pos] == 0xFF, pos
        code = data[pos + 1]
        codes.append(code)
        if code == 0xDA:
            break
        pos += 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
    return codes


def exact_size(data: bytes, size: int) -> bytes:
    """A JPEG padded after its end to exactly `size` bytes (decoders ignore what follows)."""
    assert len(data) <= size
    return data + b"\0" * (size - len(data))


def hostile_photos() -> list[tuple[str, str, str, bytes]]:
    """(case, expected rejection code, file name, bytes): files never to be stored as a photo."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    php = b"<?php system($_GET['c']); ?>"
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    png_text = io.BytesIO()
    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    Image.new("RGB", (16, 16)).save(png_text, format="PNG", pnginfo=info)
    jpeg_comment = io.BytesIO()
    Image.new("RGB", (16, 16)).save(jpeg_comment, format="JPEG", comment=html)
    webp = image_bytes("WEBP", size=(64, 48))
    jpeg = jpeg_bytes(size=(400, 300))
    png = png_bytes(size=(400, 300))
    gif_html = image_bytes("GIF")
    return [
        ("renamed exe", "type", "照片.jpg", exe_bytes()),
        ("exe as itself", "type", "setup.exe", exe_bytes()),
        ("html renamed jpg", "type", "a.jpg", html),
        ("svg with script", "type", "a.svg",
         b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'),
        ("svg renamed png", "type", "a.png",
         b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("php script renamed jpg", "type", "shell.php.jpg", php),
        ("png with trailing php", "polyglot", "a.png", png_bytes() + php),
        ("jpeg with trailing php", "polyglot", "a.jpg", jpeg_bytes() + php),
        ("html-in-jpeg polyglot (comment)", "polyglot", "a.jpg", jpeg_comment.getvalue()),
        ("html-in-jpeg polyglot (trailer)", "polyglot", "a.jpg", jpeg_bytes() + html),
        ("png with script in a text chunk", "polyglot", "a.png", png_text.getvalue()),
        ("webp with trailing html", "polyglot", "a.webp", webp + html),
        ("jpeg + zip polyglot", "polyglot", "a.jpg",
         jpeg_bytes() + rezip(None, {"Main.class": b"\xca\xfe\xba\xbe"})),
        ("truncated jpeg", "invalid", "a.jpg", jpeg[: len(jpeg) // 2]),
        ("truncated png", "invalid", "a.png", png[: len(png) // 2]),
        ("bare jpeg magic", "invalid", "a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100),
        ("png pixel flood", "pixels", "flood.png", png_pixel_flood(20000, 20000)),
        ("jpeg pixel flood", "pixels", "flood.jpg", jpeg_pixel_flood(30000, 30000)),
        ("gif (not a photo kind)", "type", "a.gif", gif_html),
        ("pdf renamed jpg", "type", "a.jpg", pdf_bytes()),
        ("tiff", "type", "a.tif", image_bytes("TIFF")),
        ("bmp", "type", "a.bmp", image_bytes("BMP")),
        ("heic", "type", "a.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 200),
        ("zip renamed jpg", "type", "a.jpg", rezip(None, {"a.txt": b"hello"})),
        ("docx renamed png", "type", "a.png", docx_bytes()),
        ("png renamed jpg", "extension", "a.jpg", png_bytes()),
        ("empty", "empty", "a.jpg", b""),
    ]
