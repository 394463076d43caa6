"""Reading the figures off the evaluation pages (what a person sees), for the tests."""

import re
from decimal import Decimal


def _cell(pattern: str, text: str) -> str:
    m = re.search(pattern, text, re.S)
    assert m, pattern
    return m.group(1).strip()


def card_figures(html: str) -> dict:
    out = {name: Decimal(_cell(rf'id="card-{name}">([^<]+)<', html)) for name in ("score", "weighted")}
    out["rule_points"] = Decimal(_cell(r'id="card-rules">([^<]+)<', html))
    out["rank"] = int(_cell(r'id="card-rank">([^<]+)<', html))
    out["parts"] = {}
    for code in ("tasks", "problem_on_time", "rework", "handover", "mock"):
        row = _cell(rf'(<tr data-component="{code}".*?</tr>)', html)
        link = re.search(r">(\d+)/(\d+)</a>", row)
        out["parts"][code] = {
            "rate": _cell(r'cw-rate">(.*?)<', row),
            "counts": (int(link.group(1)), int(link.group(2))) if link else None,
            "points": _cell(r'cw-points">(.*?)<', row),
        }
    out["rules"] = {}
    for code in ("city_problem", "district_problem", "clean_site"):
        row = _cell(rf'(<tr data-rule="{code}".*?</tr>)', html)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out["rules"][code] = [re.sub(r"<[^>]+>", "", c).strip() for c in cells[1:]]
    return out


def ranking_rows(html: str) -> list[tuple[int, str, str]]:
    """(rank, unit name, score) of the ranking table."""
    table = _cell(r'(<table[^>]*id="ranking".*?</table>)', html)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if len(cells) >= 3 and cells[0].isdigit():
            rows.append((int(cells[0]), cells[1], cells[2]))
    return rows


def pct(num: int, den: int) -> str:
    from decimal import ROUND_HALF_UP

    return str((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) + "%"
