"""The published 红黑榜: no login, finalised periods only, confirmed records only, the frozen
ranking, no personal data beyond a 通报's; the Word 通报 says what the page says."""

import io
import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from chuangwen.evaluation.models import RankEntry
from chuangwen.evaluation.services import period_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon():
    return Client()


def page_rows(html: str) -> list[tuple[str, str, str, str]]:
    """The ranking tables of the page: (rank, unit, score, board) per row."""
    rows = []
    for table in re.findall(r'<table[^>]*data-group="[^"]+".*?</table>', html, re.S):
        for row in re.findall(r"<tr><td>(.*?)</tr>", table, re.S):
            cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.split(r"</td>\s*<td[^>]*>", row)]
            rows.append(tuple(cells[:4]))
    return rows


def docx_rows(content: bytes) -> list[tuple[str, str, str, str]]:
    doc = Document(io.BytesIO(content))
    return [tuple(c.text for c in row.cells) for table in doc.tables for row in table.rows[1:]]


def test_the_page_needs_no_login_and_shows_only_confirmed_records(world, desk, anon):
    response = anon.get(reverse("honours:period", args=[desk.sep.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    black = re.search(r'id="black-list">(.*?)</(ol|p)>', html, re.S).group(1)
    # E1's confirmed 约谈, with its head's name (a published 通报 names the head talked to).
    assert "城西区西湖社区" in black and "辛书记" in black and "上创文指〔2026〕22号" in black
    red = re.search(r'id="red-list">(.*?)</(ol|p)>', html, re.S).group(1)
    # September's flags are only proposed: not on the page.
    assert "本期无列入红榜的单位" in red
    august = anon.get(reverse("honours:period", args=[desk.aug.pk])).content.decode()
    red = re.search(r'id="red-list">(.*?)</(ol|p)>', august, re.S).group(1)
    assert "城东区东街街道和平社区" in red and "友谊社区" not in red  # C2's flag was dismissed
    assert "戊书记" not in august  # a flag names no person


def test_the_page_shows_the_frozen_ranking(world, desk, anon):
    rows = page_rows(anon.get(reverse("honours:period", args=[desk.aug.pk])).content.decode())
    frozen = RankEntry.objects.filter(period=desk.aug).order_by("rank")
    assert [(r[0], r[2]) for r in rows] == [(str(e.rank), f"{e.score:.2f}") for e in frozen]
    assert rows[0] == ("1", "城东区东街街道和平社区", "99.00", "红榜")
    assert rows[-1][1] == "城西区西湖社区" and rows[-1][3] == ""  # E1's 约谈 is September's


def test_the_word_notice_shows_the_same_ranking_and_lists(world, desk, anon):
    page = anon.get(reverse("honours:period", args=[desk.sep.pk])).content.decode()
    response = anon.get(reverse("honours:notice", args=[desk.sep.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert docx_rows(response.content) == page_rows(page)
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于2026年9月创建全国文明城市工作考评排名及红黑榜的通报" in text
    assert "城西区西湖社区(主要负责人:辛书记):约谈。" in text and "本期无列入红榜的单位。" in text
    assert "创建全国文明城市指挥部办公室" in text and "2026年9月30日" in text


def test_unfinalised_and_unknown_periods_are_not_published(world, desk, anon):
    open_period = period_create(kind="month", start=date(2026, 10, 1), actor=world.hq,
                                today=date(2026, 11, 2))
    for pk in (open_period.pk, 999999):
        assert anon.get(reverse("honours:period", args=[pk])).status_code == 404
        assert anon.get(reverse("honours:notice", args=[pk])).status_code == 404
    index = anon.get(reverse("honours:index")).content.decode()
    assert "2026年8月" in index and "2026年9月" in index and "2026年10月" not in index


def test_the_public_pages_carry_no_staff_data(world, desk, anon):
    html = anon.get(reverse("honours:period", args=[desk.sep.pk])).content.decode()
    # No proposals, no reasons of proposals, no usernames, no links into the staff pages.
    for leak in ("e1_head", "/rewards/", "待确认", "甲指挥", "安全事故"):
        assert leak not in html


def test_public_views_are_read_only(world, desk, anon):
    assert anon.post(reverse("honours:period", args=[desk.sep.pk])).status_code in (403, 405)
