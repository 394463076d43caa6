"""The Word 通报 of a period's published list (.docx), laid out in the house style of the 督办单
(tasks.supervision_notice: A4, 宋体 body, 黑体 title) from the same `selectors.honours` the
public page shows, so paper and page never differ."""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm

from chuangwen.tasks.supervision_notice import (
    CONTENT_TYPE,
    FONT,
    FONT_LATIN,
    TITLE_FONT,
    TITLE_FONT_LATIN,
    _cn_date,
    _document_defaults,
    _font,
    _paragraph,
)

from .selectors import Honours

__all__ = ["CONTENT_TYPE", "filename", "render"]

BOARD_LABELS = {"red": "红榜", "black": "黑榜", "": ""}
NUMERALS = "一二三四五六七八九十"


def filename(h: Honours) -> str:
    return f"红黑榜通报-{h.period.label}.docx"


def _heading(doc, text: str) -> None:
    _paragraph(doc, text, size=14, bold=True, font=(TITLE_FONT, TITLE_FONT_LATIN))


def _table(doc, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = Cm(width)
            _font(cell.paragraphs[0].add_run(str(value)), FONT, FONT_LATIN, size=11, bold=i == 0)


def _listed(doc, items, empty: str) -> None:
    if not items:
        _paragraph(doc, empty, size=12)
        return
    for n, item in enumerate(items, start=1):
        who = f"{item.unit_name}(主要负责人:{item.person_name})" if item.person_name else item.unit_name
        doc_no = f"({item.doc_number})" if item.doc_number else ""
        _paragraph(doc, f"{n}. {who}:{item.kind_label}。{item.reason}{doc_no}", size=12)


def render(h: Honours) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    _document_defaults(doc)
    _font(doc.styles["Normal"], FONT, FONT_LATIN, size=12)

    _paragraph(doc, h.title, size=20, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
               font=(TITLE_FONT, TITLE_FONT_LATIN))
    p = h.period
    _paragraph(doc, f"按照创建全国文明城市工作考评办法,{h.issuer}对{p.label}({_cn_date(p.start)}至"
                    f"{_cn_date(p.end)})各单位创建工作进行了考评,现将考评排名和红黑榜情况通报如下。", size=12)

    _heading(doc, "一、考评排名")
    for i, t in enumerate(h.tables):
        _paragraph(doc, f"({NUMERALS[i % 10]}){t.label}", size=12, bold=True)
        _table(doc, ["名次", "单位", "得分", "榜单"],
               [[str(r.rank), r.unit_name, f"{r.score:.2f}", BOARD_LABELS[r.board]] for r in t.rows],
               [1.6, 9.0, 2.2, 2.0])
    if not h.tables:
        _paragraph(doc, "本期无排名。", size=12)
    _heading(doc, "二、红榜")
    _listed(doc, h.red, "本期无列入红榜的单位。")
    _heading(doc, "三、黑榜")
    _listed(doc, h.black, "本期无列入黑榜的单位。")
    _paragraph(doc, "希望受到表扬的单位再接再厉,持续巩固创建成果;列入黑榜的单位要深刻反思、"
                    "认真整改,确保各项创建任务落实到位。", size=12)

    doc.add_paragraph()
    _paragraph(doc, h.issuer, size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, _cn_date(h.issued_on), size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)

    doc.core_properties.title = h.title
    doc.core_properties.author = h.issuer
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
