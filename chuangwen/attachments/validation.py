"""What may be uploaded, decided by the file's content (never by the client's name or MIME type).

`validate_upload(f)` returns the `Checked` facts the service stores (sanitised name, kind,
detected content type) or raises a `ValidationError` whose Chinese message names the file.

Detection: the first bytes decide the family (`filetype` for images and PDF; the ZIP and OLE2
signatures for Office), then a family check looks inside: Pillow parses images (pixel cap
against decompression bombs), Office ZIPs must be real OOXML packages without macros and
without bomb-like compression, legacy OLE2 files must hold a Word/Excel/PowerPoint stream and
no VBA project.  Last, the extension must name the kind found.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

NAME_MAX = 200
HEAD_BYTES = 8192
# Larger images are refused before any pixel is decoded (a 40 MP photo is 7,300 × 5,500,
# more than any phone takes; decoding one costs ~160 MB).
MAX_IMAGE_PIXELS = 40_000_000
# Office packages: their members are never extracted here, but whoever opens them later
# (openpyxl, python-docx, the recipient's Office) would be.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024
ZIP_MAX_RATIO = 300  # XML deflates 5-30×; a zip bomb 1,000×
ZIP_RATIO_FLOOR = 1024 * 1024  # small members may compress as they like
CONTENT_TYPES_MAX = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    group: str  # image / pdf / office

    @property
    def is_image(self) -> bool:
        return self.group == "image"


_OOXML = "application/vnd.openxmlformats-officedocument"
KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("jpeg", "JPG 图片", "image/jpeg", ("jpg", "jpeg"), "image"),
    Kind("png", "PNG 图片", "image/png", ("png",), "image"),
    Kind("gif", "GIF 图片", "image/gif", ("gif",), "image"),
    Kind("webp", "WEBP 图片", "image/webp", ("webp",), "image"),
    Kind("pdf", "PDF 文档", "application/pdf", ("pdf",), "pdf"),
    Kind("docx", "Word 文档", f"{_OOXML}.wordprocessingml.document", ("docx",), "office"),
    Kind("xlsx", "Excel 表格", f"{_OOXML}.spreadsheetml.sheet", ("xlsx",), "office"),
    Kind("pptx", "PowerPoint 演示文稿", f"{_OOXML}.presentationml.presentation", ("pptx",), "office"),
    Kind("doc", "Word 97-2003 文档", "application/msword", ("doc",), "office"),
    Kind("xls", "Excel 97-2003 表格", "application/vnd.ms-excel", ("xls",), "office"),
    Kind("ppt", "PowerPoint 97-2003 演示文稿", "application/vnd.ms-powerpoint", ("ppt",), "office"),
)}
ALL_KINDS = frozenset(KINDS)
IMAGE_KINDS = frozenset(code for code, k in KINDS.items() if k.is_image)

# filetype's answer → our kind (APNG is a PNG to every viewer).
_MIME_KINDS = {
    "image/jpeg": "jpeg", "image/png": "png", "image/apng": "png", "image/gif": "gif",
    "image/webp": "webp", "application/pdf": "pdf",
}
# Pillow's format names per kind.  A JPEG carrying a second image (Android "Ultra HDR" gain
# maps, depth maps, stereo pairs: the CIPA Multi-Picture Format) opens as "MPO"; it is a JPEG
# to every viewer and decoder.
_PIL_FORMATS = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",), "gif": ("GIF",), "webp": ("WEBP",)}

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# The main part of each OOXML package, by its content type in [Content_Types].xml.
_OOXML_MAIN = {
    f"{_OOXML}.wordprocessingml.document.main+xml": "docx",
    f"{_OOXML}.spreadsheetml.sheet.main+xml": "xlsx",
    f"{_OOXML}.presentationml.presentation.main+xml": "pptx",
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def _utf16(name: str, terminated: bool = True) -> bytes:
    """An OLE2 directory entry name as stored: UTF-16LE, NUL-terminated."""
    return (name + ("\0" if terminated else "")).encode("utf-16-le")


# OLE2 stream names (found by scanning for the directory entries' UTF-16LE names: cheaper
# than parsing the FAT, and an embedded object carrying a VBA project is refused too).
_OLE_MAIN = (("doc", _utf16("WordDocument")), ("xls", _utf16("Workbook")),
             ("xls", _utf16("Book")), ("ppt", _utf16("PowerPoint Document")))
_OLE_VBA = _utf16("_VBA_PROJECT", terminated=False)
_OLE_ENCRYPTED = _utf16("EncryptedPackage")  # a password-protected .docx/.xlsx/.pptx


@dataclass(frozen=True)
class Checked:
    name: str
    kind: Kind
    size: int

    @property
    def content_type(self) -> str:
        return self.kind.content_type


# --- names ------------------------------------------------------------------------------------

_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')


def sanitize_name(raw: str | None) -> str:
    """The file's own name, safe to store and show: no directories, no control or format
    characters (a right-to-left override can make "gpj.exe" read as "exe.jpg"), no characters
    Windows refuses, at most NAME_MAX characters with the extension kept."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name)  # tabs, newlines, ideographic space
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = _WINDOWS_RESERVED.sub("_", name)
    name = " ".join(name.split())
    name = name.strip(" .")  # "..", trailing dots (Windows drops them), hidden-file dots
    if not name:
        return "未命名"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: NAME_MAX - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:NAME_MAX]
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- messages -----------------------------------------------------------------------------------

def _allowed_text(kinds: frozenset[str]) -> str:
    parts = []
    images = [KINDS[c] for c in KINDS if c in kinds and KINDS[c].is_image]
    if images:
        parts.append("图片(" + "/".join(k.extensions[0].upper() for k in images) + ")")
    if "pdf" in kinds:
        parts.append("PDF")
    office = [KINDS[c] for c in KINDS if c in kinds and KINDS[c].group == "office"]
    if office == [KINDS[c] for c in KINDS if KINDS[c].group == "office"]:
        parts.append("Office 文档")
    elif office:
        parts.append("Office 文档(" + "/".join(k.extensions[0].upper() for k in office) + ")")
    if len(parts) > 1:
        return "仅支持" + "、".join(parts[:-1]) + " 和 " + parts[-1]
    return "仅支持" + (parts[0] if parts else "")


def _reject(name: str, why: str, code: str) -> ValidationError:
    return ValidationError(f"文件“{name}”{why}", code=code)


def _not_allowed(name: str, kinds: frozenset[str]) -> ValidationError:
    return _reject(name, f"的类型不允许上传:{_allowed_text(kinds)}。", "type")


def max_upload_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_MB * 1024 * 1024)


def _too_many_pixels(name: str, size: tuple[int, int] | None = None) -> ValidationError:
    found = f"({size[0]}×{size[1]} 像素)" if size else ""
    return _reject(name, f"的图片尺寸过大{found},不能超过 {MAX_IMAGE_PIXELS // 10_000} 万像素。", "pixels")


# --- the check ----------------------------------------------------------------------------------

def validate_upload(f, *, kinds: frozenset[str] = ALL_KINDS, max_bytes: int | None = None) -> Checked:
    """Check one uploaded file (a Django `UploadedFile` or `File`); raise `ValidationError`.

    The size is checked first, from `.size`, before any byte is read, against `max_bytes`
    (default: ATTACHMENT_MAX_MB).  The result is remembered on the file object, so a form that
    validated the file early spares the service a second pass (the service calls this again
    with the same kinds and limit and gets the cached answer)."""
    kinds = frozenset(kinds)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    cached = getattr(f, "_chuangwen_checked", None)
    if cached is not None and cached[0] == (kinds, limit) and cached[1].size == f.size:
        return cached[1]
    name = sanitize_name(getattr(f, "name", ""))
    size = f.size
    if size is None or size > limit:
        raise _reject(name, f"太大了({filesizeformat(size or 0)}),单个文件不能超过 "
                            f"{filesizeformat(limit)}。", "size")
    if size == 0:
        raise _reject(name, "是空文件。", "empty")
    f.seek(0)
    head = f.read(HEAD_BYTES)
    if head.startswith(ZIP_MAGIC):
        code = _check_ooxml(f, name)
    elif head.startswith(OLE2_MAGIC):
        candidates = _check_ole2(f, name)  # an .xls may embed a Word object, and so on
        preferred = [c for c in candidates if extension(name) in KINDS[c].extensions]
        code = (preferred or candidates or [None])[0]
    else:
        guess = filetype.guess(head)
        code = _MIME_KINDS.get(guess.mime) if guess else None
    if code is None or code not in kinds:
        raise _not_allowed(name, kinds)
    kind = KINDS[code]
    ext = extension(name)
    if ext not in kind.extensions:
        found = f"的扩展名(.{ext})与内容不符" if ext else "没有扩展名"
        raise _reject(name, f"{found}:内容是 {kind.label},扩展名应为 .{kind.extensions[0]}。", "extension")
    if kind.is_image:
        _check_image(f, name, kind)
    f.seek(0)
    checked = Checked(name=name, kind=kind, size=size)
    try:
        f._chuangwen_checked = ((kinds, limit), checked)
    except AttributeError:  # pragma: no cover  (a file object with __slots__)
        pass
    return checked


def _check_image(f, name: str, kind: Kind) -> None:
    from PIL import Image

    invalid = _reject(name, f"不是有效的 {kind.label}(文件已损坏或内容不完整)。", "invalid")
    try:
        # Image.open reads the header only.  Pillow's own guard (Image.MAX_IMAGE_PIXELS, set to
        # our cap in apps.py for every other Pillow use) warns above the cap and raises
        # DecompressionBombError above twice it; below that our check refuses first.  No
        # filter on its warning (warnings.catch_warnings is not thread-safe under gunicorn).
        f.seek(0)
        with Image.open(f) as im:
            if im.format not in _PIL_FORMATS[kind.code]:
                raise invalid
            width, height = im.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(name, (width, height))
            im.verify()  # PNG: every chunk's CRC up to IEND
        if kind.code != "png":
            # JPEG/GIF/WEBP: decode once to catch truncated or corrupt data (JPEG at 1/8
            # scale: every byte is still read, with an eighth of the memory).
            f.seek(0)
            with Image.open(f) as im:
                if kind.code == "jpeg":
                    im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                im.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(name) from exc
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError, ...)
        raise invalid from exc


def _check_ooxml(f, name: str) -> str | None:
    """A .docx/.xlsx/.pptx: a ZIP holding [Content_Types].xml that names the main part, which
    exists; no macros, no encryption, no bomb.  Returns the kind code (None: not OOXML)."""
    invalid = _reject(name, "不是有效的 Office 文档(ZIP 压缩包不是 Word/Excel/PowerPoint 格式)。", "invalid")
    macro = _reject(name, "含有宏(VBA 代码),不允许上传:请另存为不含宏的 .docx/.xlsx/.pptx 后再上传。", "macro")
    bomb = _reject(name, "解压后过大或压缩比异常,疑似恶意文件,不允许上传。", "bomb")
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
            if len(infos) > ZIP_MAX_MEMBERS:
                raise bomb
            total = 0
            for info in infos:
                if info.flag_bits & 0x1:
                    raise _reject(name, "已加密,无法检查内容,不允许上传:请去掉密码后再上传。", "encrypted")
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO:
                    raise bomb
                if info.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin":
                    raise macro
            if total > ZIP_MAX_UNCOMPRESSED:
                raise bomb
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                return None  # a plain ZIP archive (or .odt, .apk, ...): not a type we take
            with zf.open("[Content_Types].xml") as part:
                data = part.read(CONTENT_TYPES_MAX + 1)
            if len(data) > CONTENT_TYPES_MAX:
                raise invalid
            root = ElementTree.fromstring(data)
    except ValidationError:
        raise
    except Exception as exc:  # BadZipFile, bad XML, entity tricks (defusedxml), truncation
        raise invalid from exc
    found = set()
    for element in root:
        content_type = (element.get("ContentType") or "").strip()
        lowered = content_type.lower()
        if "macroenabled" in lowered or "vbaproject" in lowered:
            raise macro
        code = _OOXML_MAIN.get(content_type)
        if code and element.tag == f"{_CT_NS}Override":
            if (element.get("PartName") or "").lstrip("/") not in names:
                raise invalid
            found.add(code)
    if len(found) != 1:
        raise invalid
    return found.pop()


def _check_ole2(f, name: str) -> list[str]:
    """A legacy .doc/.xls/.ppt (OLE2 compound file).  Returns the kind codes whose main stream
    is present (none for other OLE2 files: .msi, .msg, ...)."""
    f.seek(0)
    found: set[bytes] = set()
    markers = {m for _, m in _OLE_MAIN} | {_OLE_VBA, _OLE_ENCRYPTED}
    overlap = max(len(m) for m in markers)
    tail = b""
    for chunk in f.chunks() if hasattr(f, "chunks") else iter(lambda: f.read(1 << 16), b""):
        window = tail + chunk
        found.update(m for m in markers if m in window)
        tail = window[-overlap:]
    if _OLE_ENCRYPTED in found:
        raise _reject(name, "已加密,无法检查内容,不允许上传:请去掉密码后再上传。", "encrypted")
    if _OLE_VBA in found:
        raise _reject(name, "含有宏(VBA 代码),不允许上传:请另存为不含宏的文档后再上传。", "macro")
    return list(dict.fromkeys(code for code, marker in _OLE_MAIN if marker in found))
