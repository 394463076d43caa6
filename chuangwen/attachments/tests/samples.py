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
