"""Attribute answers per datatype and W3C dates: plain Python, no database."""

from datetime import timedelta

import pytest
from django.http import QueryDict

from chuangwen.api.open311.attributes import posted_attributes, validate_answers
from chuangwen.api.open311.dates import DateError, parse_w3c, w3c
from chuangwen.api.open311.models import ServiceAttribute

HAZARDS = [{"key": "oil", "name": "油污"}, {"key": "mud", "name": "泥浆渣土"}]


def attrs():
    return [
        ServiceAttribute(code="state", datatype="singlevaluelist", required=True, order=1,
                         description="井盖情况?",
                         values=[{"key": "broken", "name": "破损"}, {"key": "missing", "name": "缺失"}]),
        ServiceAttribute(code="area", datatype="number", order=2, description="面积"),
        ServiceAttribute(code="seen", datatype="datetime", order=3, description="发现时间"),
        ServiceAttribute(code="hazards", datatype="multivaluelist", order=4, description="情况",
                         values=HAZARDS),
        ServiceAttribute(code="landmark", datatype="string", order=5, description="标志物"),
        ServiceAttribute(code="notes", datatype="text", order=6, description="补充说明"),
        ServiceAttribute(code="info", datatype="string", order=7, description="提示", variable=False),
    ]


def check(query: str):
    return validate_answers(attrs(), posted_attributes(QueryDict(query).lists()))


def test_every_datatype_is_parsed_and_stored():
    answers, errors = check(
        "attribute[state]=broken&attribute[area]=12.5&attribute[seen]=2026-09-16T01:30:00Z"
        "&attribute[hazards][]=oil&attribute[hazards][]=mud&attribute[landmark]=公交站"
        "&attribute[notes]=第一行%0A第二行"
    )
    assert errors == []
    assert answers.values == {"state": "broken", "area": 12.5, "seen": "2026-09-16T09:30:00+08:00",
                              "hazards": ["oil", "mud"], "landmark": "公交站", "notes": "第一行\n第二行"}
    assert answers.lines[0] == "井盖情况:破损"
    assert "情况:油污、泥浆渣土" in answers.lines and "发现时间:2026-09-16 09:30" in answers.lines


def test_integral_numbers_stay_integers_and_repeated_keys_make_a_multivaluelist():
    answers, errors = check(
        "attribute[state]=missing&attribute[area]=3&attribute[hazards]=oil&attribute[hazards]=oil")
    assert errors == [] and answers.values["area"] == 3 and answers.values["hazards"] == ["oil"]


@pytest.mark.parametrize("query, message", [
    ("", "attribute[state] is required"),
    ("attribute[state]=", "attribute[state] is required"),
    ("attribute[state]=cracked", "cracked is not a valid key"),
    ("attribute[state]=broken&attribute[state]=missing", "takes a single value"),
    ("attribute[state]=broken&attribute[area]=abc", "attribute[area] must be a number"),
    ("attribute[state]=broken&attribute[area]=NaN", "attribute[area] must be a number"),
    ("attribute[state]=broken&attribute[area]=1e999", "attribute[area] must be a number"),
    ("attribute[state]=broken&attribute[seen]=2026-09-16 09:30", "W3C datetime with a time zone"),
    ("attribute[state]=broken&attribute[seen]=2026-09-16T09:30:00", "W3C datetime with a time zone"),
    ("attribute[state]=broken&attribute[hazards][]=oil&attribute[hazards][]=fire", "fire is not a valid key"),
    ("attribute[state]=broken&attribute[landmark]=一%0A二", "must be a single line"),
    ("attribute[state]=broken&attribute[landmark]=" + "长" * 201, "longer than 200"),
    ("attribute[state]=broken&attribute[notes]=" + "长" * 2001, "longer than 2000"),
    ("attribute[state]=broken&attribute[colour]=red", "attribute[colour] is not an attribute"),
])
def test_bad_answers_are_reported_in_chinese_and_in_the_specs_words(query, message):
    answers, errors = check(query)
    assert len(errors) == 1 and message in errors[0], errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0])  # Chinese first


def test_all_errors_come_at_once_and_informational_attributes_are_not_answers():
    answers, errors = check("attribute[area]=x&attribute[hazards][]=fire&attribute[info]=anything")
    assert len(errors) == 3
    assert "info" not in answers.values


@pytest.mark.parametrize("raw, offset", [
    ("2026-09-16T08:15:30-05:00", -5), ("2026-09-16T13:15:30Z", 0), ("2026-09-16T13:15+08:00", 8),
    ("2026-09-16T13:15:30.123456789+08:00", 8),
])
def test_w3c_datetimes_need_a_zone(raw, offset):
    assert parse_w3c(raw).utcoffset() == timedelta(hours=offset)


@pytest.mark.parametrize("raw", ["2026-09-16", "2026-09-16T13:15:30", "2026-09-16 13:15:30+08:00",
                                 "yesterday",
                                 "2026-02-30T00:00:00Z", ""])
def test_anything_else_is_refused(raw):
    with pytest.raises(DateError):
        parse_w3c(raw)


def test_dates_are_written_in_local_time_with_the_offset():
    assert w3c(parse_w3c("2026-09-16T02:00:00Z")) == "2026-09-16T10:00:00+08:00"
    assert w3c(None) is None
