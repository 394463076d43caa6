"""Reading uploaded .xlsx files safely: size and zip-bomb limits before parsing, XML parsed by
openpyxl through defusedxml (openpyxl switches to it when installed), values only."""

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 20000


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[tuple[int, dict]]  # (Excel row number, {column header: value})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_workbook(data: bytes) -> dict[str, Sheet]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件过大:不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(info.file_size for info in zf.infolist()) > MAX_UNPACKED_BYTES:
                raise ValidationError("文件解压后过大,请拆分后再导入。")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same answer to the user
        raise ValidationError("无法读取文件:请上传 Excel 2007 及以上版本的 .xlsx 文件。") from exc
    sheets: dict[str, Sheet] = {}
    try:
        for ws in wb.worksheets:
            rows_iter = ws.iter_rows(values_only=True)
            header_row = next(rows_iter, None)
            if header_row is None:
                continue
            header = [_text(h) for h in header_row]
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                if number - 1 > MAX_ROWS:
                    raise ValidationError(f"工作表“{ws.title}”超过 {MAX_ROWS} 行,请拆分后再导入。")
                cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
                if any(cells.values()):
                    rows.append((number, cells))
            sheets[ws.title.strip()] = Sheet(ws.title.strip(), header, rows)
    finally:
        wb.close()
    return sheets
