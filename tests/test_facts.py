"""The fact reader: what a merchant's words state, with the words they came from; what is unclear is left out."""

import pytest

from assistant.facts import read, read_conversation
from assistant.normalize import normalize


@pytest.fixture(scope="module")
def registration(questionnaires):
    return questionnaires["registration"]


def facts(text, questionnaire):
    reading = read(normalize(text).text, questionnaire)
    return {k: (f.answer, f.words) for k, f in reading.facts.items()}, reading


def test_each_fact_keeps_its_words(registration):
    got, _ = facts("个人网店一年卖6万元需要登记吗？", registration)
    assert got == {"operator": ("individual", "个人网店"), "annual_turnover": (60000, "一年卖6万元")}


@pytest.mark.parametrize("text, key", [
    ("我不是个体户，想问问", "operator"),               # negated
    ("帮亲戚卖他们家养的土鸡蛋，这算我自产的吗", None),   # questioned: 自产 is asked about, not stated
    ("个体工商户开抖音小店要不要另外办执照", "operator"),  # two cues for two answers: asked, not guessed
])
def test_negated_questioned_and_contradicting_cues_are_not_facts(registration, text, key):
    got, reading = facts(text, registration)
    if key:
        assert key not in got, got
    assert got.get("activity", ("other",))[0] == "other", got


def test_statement_beats_what_a_question_implies(registration):
    got, _ = facts("我们公司在天猫开店，需要办理登记吗", registration)
    assert got["operator"][0] == "registered"


def test_licence_cue_is_a_caution_never_an_answer(registration):
    got, reading = facts("我在朋友圈卖蛋糕要办营业执照吗？", registration)
    assert "license_required" not in got and "activity" not in got
    assert reading.cautions and "蛋糕" in reading.cautions[0][1]


def test_ambiguous_amount_is_left_out_with_the_reason(registration):
    got, reading = facts("做代购一年10万左右", registration)
    assert "annual_turnover" not in got
    assert any("10万左右" in u for u in reading.unclear)


def test_replies_answer_the_pending_question_and_later_statements_override(registration):
    reading, pending = read_conversation(["个人网店一年卖6万元需要登记吗", "其他商品或者服务", "否"], registration)
    assert reading.answers == {"operator": "individual", "annual_turnover": 60000, "activity": "other",
                               "license_required": "no"}
    assert pending is None
    reading, _ = read_conversation(["个人网店一年卖6万元需要登记吗", "那如果超过10万呢"], registration)
    assert reading.answers["annual_turnover"] == "超过100000元"
    assert reading.facts["annual_turnover"].turn == 0


def test_several_shops_are_added_up(registration):
    got, _ = facts("淘宝一年5万，拼多多一年6万", registration)
    assert got["annual_turnover"][0] == 110000
