"""督办单: the printable supervision notice (.docx) for a yellow or red task.

`notice_for(task)` gathers what goes on the paper (reads only) and refuses a task that is not
yellow or red; `render(notice)` lays it out with python-docx: A4, 宋体, a title with the notice
number, one two-column table, the requirement and the issuing unit's signature line.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from chuangwen.org.selectors import current_head

from . import selectors
from .colours import Colour
from .models import Task

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"
FONT_LATIN = "SimSun"
TITLE_FONT = "黑体"
TITLE_FONT_LATIN = "SimHei"
# Working days the lead unit gets, from the notice, to finish and report.
RESPOND_WITHIN = {Colour.YELLOW: 3, Colour.RED: 2}


@dataclass(frozen=True)
class Notice:
    colour: str
    number: str
    code: str
    title: str
    content: str
    lead_unit: str
    head_name: str
    responsible_name: str
    deadline: date
    original_deadline: date | None
    days_overdue: int
    progress: int
    linked_leader_name: str
    issuing_unit: str
    requirement: str
    issued_on: date

    @property
    def heading(self) -> str:
        return f"{Colour.LABELS[self.colour]}督办单"

    @property
    def filename(self) -> str:
        return f"{self.heading}-{self.code}.docx"

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("任务编号", self.code),
            ("任务名称", self.title),
            ("任务内容", self.content),
            ("牵头单位", self.lead_unit),
            ("主要负责人", self.head_name or "(空缺)"),
            ("责任人", self.responsible_name),
            ("完成时限", _cn_date(self.deadline)),
        ]
        if self.original_deadline and self.original_deadline != self.deadline:
            rows.append(("原定时限", _cn_date(self.original_deadline)))
        rows += [
            ("逾期工作日", f"{self.days_overdue}个工作日"),
            ("完成进度", f"{self.progress}%"),
            ("挂钩领导", self.linked_leader_name or "—"),
            ("交办单位", self.issuing_unit),
            ("督办要求", self.requirement),
            ("签发日期", _cn_date(self.issued_on)),
        ]
        return rows


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def number_of(task: Task, colour: str, on: date) -> str:
    """黄督〔2026〕第003-01号: the colour, the year of issue and the task's code without its year
    prefix.  Codes are unique, so the number is too, and a reprint carries the same number."""
    code = task.code
    prefix = f"{task.plan.year}-" if task.plan_id else ""
    if prefix and code.startswith(prefix):
        code = code[len(prefix):]
    return f"{Colour.LABELS[colour][0]}督〔{on.year}〕第{code}号"


def _requirement(colour: str, days: int, leader: str, policy) -> str:
    within = RESPOND_WITHIN[colour]
    if colour == Colour.RED:
        text = (f"该任务已逾期{days}个工作日,列入红色督办" + (f",已报挂钩领导{leader}" if leader else "")
                + f"。请牵头单位主要负责人亲自研究部署,于收到本督办单后{within}个工作日内办结,"
                "并向交办单位书面报告逾期原因和整改措施。")
        if policy is not None:
            text += f"逾期未办结的,按“{policy.name}”规则处理。"
        return text
    return (f"该任务已逾期{days}个工作日,列入黄色督办。请牵头单位主要负责人督促责任人抓紧办理,"
            f"于收到本督办单后{within}个工作日内办结并报送办理情况;"
            "逾期超过规定工作日仍未办结的,转为红色督办并报挂钩领导。")


def notice_for(task: Task, *, today: date | None = None) -> Notice:
    """What the 督办单 says; ValidationError unless the task is yellow or red today."""
    today = today or timezone.localdate()
    th = selectors.current_thresholds(today)
    colour = selectors.colour_of(task, th)
    if colour not in (Colour.YELLOW, Colour.RED):
        state = Colour.LABELS[colour] if colour else "未逾期"
        raise ValidationError(f"只有黄色或红色督办的任务才能打印督办单,该任务当前为“{state}”。")
    days = selectors.days_overdue(task, today)
    head = current_head(task.lead_unit)
    leader = task.linked_leader_name or (str(task.linked_leader) if task.linked_leader else "")
    responsible = task.responsible_name or (str(task.responsible_person) if task.responsible_person else "")
    return Notice(
        colour=colour, number=number_of(task, colour, today), code=task.code, title=task.title,
        content=task.content, lead_unit=str(task.lead_unit), head_name=head.person.full_name if head else "",
        responsible_name=responsible,
        deadline=task.deadline, original_deadline=task.original_deadline, days_overdue=days,
        progress=task.progress, linked_leader_name=leader, issuing_unit=str(task.issuing_unit),
        requirement=_requirement(colour, days, leader, task.policy), issued_on=today,
    )


# --- layout --------------------------------------------------------------------------------------


def _font(target, name: str, latin: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's font; Word takes Chinese glyphs from w:eastAsia, which python-docx's
    `font.name` does not set."""
    target.font.name = latin
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), name)


def _document_defaults(doc) -> None:
    """The template's defaults take fonts from the theme (which wins over a plain font name) and
    mark text as en-US: make them 宋体 and zh-CN, so every run without its own font is 宋体 too."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), FONT_LATIN)
    rfonts.set(qn("w:eastAsia"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _paragraph(doc, text: str, *, size: float, align=None, bold: bool = False, font=(FONT, FONT_LATIN)):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), *font, size=size, bold=bold)
    return p


def render(notice: Notice) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    _document_defaults(doc)
    _font(doc.styles["Normal"], FONT, FONT_LATIN, size=12)

    _paragraph(doc, notice.heading, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
               font=(TITLE_FONT, TITLE_FONT_LATIN))
    _paragraph(doc, notice.number, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)

    rows = notice.rows()
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for (label, value), row in zip(rows, table.rows, strict=True):
        left, right = row.cells
        left.width, right.width = Cm(3.2), Cm(12.2)
        _font(left.paragraphs[0].add_run(label), FONT, FONT_LATIN, size=12, bold=True)
        lines = str(value).splitlines() or [""]
        _font(right.paragraphs[0].add_run(lines[0]), FONT, FONT_LATIN, size=12)
        for line in lines[1:]:
            _font(right.add_paragraph().add_run(line), FONT, FONT_LATIN, size=12)

    doc.add_paragraph()
    _paragraph(doc, notice.issuing_unit, size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, _cn_date(notice.issued_on), size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if notice.linked_leader_name:
        _paragraph(doc, f"抄送:挂钩领导{notice.linked_leader_name}", size=12)

    doc.core_properties.title = f"{notice.heading} {notice.number}"
    doc.core_properties.author = notice.issuing_unit
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
