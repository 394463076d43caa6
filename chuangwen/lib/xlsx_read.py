"""Reading uploaded .xlsx files safely: size and zip-bomb limits before parsing, any member
carrying a DTD (entities, external references) refused before openpyxl sees it, values only,
never formulas.

The DTD check is ours because the parser underneath varies: openpyxl parses through defusedxml
when only the standard library is there, but through lxml when lxml is installed (python-docx
brings it), and a DTD must be refused either way."""

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
# A real workbook compresses text about 5-20 times; a bomb compresses thousands of times.
MAX_RATIO = 200
MAX_MEMBERS = 500
MAX_ROWS = 20000

UNREADABLE = "无法读取文件:请上传 Excel 2007 及以上版本的 .xlsx 文件。"


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[tuple[int, dict]]  # (Excel row number, {column header: value})


def defused_xml_in_use() -> bool:
    import openpyxl
    from openpyxl.xml import functions

    return bool(openpyxl.DEFUSEDXML) and functions.iterparse.__module__.startswith("defusedxml")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and hasattr(value, "hour"):
        # A date cell comes back as datetime: keep dates as dates, times as typed.
        value = value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    return str(value).strip()


def check_archive(data: bytes) -> None:
    """Refuse what is not a reasonable .xlsx before any XML is parsed.

    The declared sizes can be trusted as a bound: `zipfile` never returns more bytes than the
    member's declared size (and fails its CRC check if the data had more).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件过大:不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(UNREADABLE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ValidationError(UNREADABLE) from exc
    if len(members) > MAX_MEMBERS:
        raise ValidationError("文件结构异常(压缩包内文件过多),已拒绝导入。")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise ValidationError("文件解压后过大或压缩比异常,已拒绝导入;如确为正常文件,请拆分后再导入。")
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise ValidationError(UNREADABLE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for m in members:
                if m.filename.endswith((".xml", ".rels", ".vml")) and _has_dtd(zf.read(m)):
                    raise ValidationError("无法读取文件:文件中含有不允许的 XML 声明(DTD/实体),已拒绝导入。")
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ValidationError(UNREADABLE) from exc


def _has_dtd(xml: bytes) -> bool:
    # UTF-16 parts would hide the marker from a byte search: refuse them as well (Excel writes UTF-8).
    head = xml[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00<" in head or b"<\x00" in head:
        return True
    return b"<!DOCTYPE" in xml or b"<!ENTITY" in xml


def read_workbook(data: bytes) -> dict[str, Sheet]:
    """{sheet title: Sheet}; raise ValidationError (Chinese) for anything unreadable or unsafe."""
    from openpyxl import load_workbook

    check_archive(data)
    sheets: dict[str, Sheet] = {}
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                sheet = _read_sheet(ws)
                if sheet is not None:
                    sheets[sheet.title] = sheet
        finally:
            wb.close()
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure (bad XML, entities, ...) is refused alike
        raise ValidationError(UNREADABLE) from exc
    return sheets


def _read_sheet(ws) -> Sheet | None:
    rows_iter = ws.iter_rows(values_only=True)
    header_row = next(rows_iter, None)
    if header_row is None:
        return None
    header = [_text(h) for h in header_row]
    rows = []
    for number, values in enumerate(rows_iter, start=2):
        cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
        if not any(cells.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(f"工作表“{ws.title}”超过 {MAX_ROWS} 行,请拆分后再导入。")
        rows.append((number, cells))
    return Sheet(ws.title.strip(), header, rows)
