"""Excel helpers: every cell written as a value, never as a formula."""

import io
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_workbook(sheets: Iterable[tuple[str, Iterable[str], Iterable[Iterable]]]) -> bytes:
    """One workbook from (title, header, rows) triples."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Control characters are not allowed in the file format: drop them, not the row.
            ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
            # openpyxl stores a str starting with "=" as a formula; force it back to text so a
            # cell typed as "=1+1" comes back as the same text and is never evaluated.
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def workbook_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(build_workbook(sheets), content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
