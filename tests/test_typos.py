"""Homophone typos (assistant/typos.py): corrected to the corpus's own words, and only where surely a typo."""

import pytest

from assistant.segment import Segmenter
from assistant.typos import Speller, vocabulary


@pytest.fixture(scope="module")
def speller(corpus):
    return Speller(vocabulary(corpus), Segmenter(corpus.userdict_path))


@pytest.mark.parametrize("typed, typo, word", [
    ("搭受是违法的吗", "搭受", "搭售"),                        # one character of a two-character word
    ("没有营业只照可以开网店吗", "营业只照", "营业执照"),      # a dictionary word before a listed typo of it
    ("个题户店铺公示信息有哪些", "个题户", "个体户"),
    ("个体户网店要gongshi执照上哪些信息", "gongshi", "公示"),  # pinyin typed for the word
])
def test_homophone_typos_are_corrected(speller, typed, typo, word):
    text, fixes = speller.correct(typed)
    assert (typo, word) in fixes and word in text and typo not in text


@pytest.mark.parametrize("typed", [
    "这个视频里卖的食品要标保质期吗",      # 视频 is a word: never 食品
    "这样是行不通的",                      # 是/行不通: 是行 ends inside a word, no typo of 施行
    "社区团购团长在群里发链接卖东西",      # 群里 + 发, not 理发
    "我在朋友圈卖蛋糕要办营业执照吗",
    "Can I sell cakes from home without a license",  # an English question keeps its words
])
def test_real_words_are_left_alone(speller, typed):
    assert speller.correct(typed) == (typed, [])


def test_a_typo_is_read_as_the_word_by_every_stage(kb):
    text = kb.read_text("搭受是违法的吗")
    assert text.text == "搭售是违法的吗" and text.corrections == (("搭受", "搭售"),)
    assert kb.rank("搭受是违法的吗").articles[0][0].startswith("measures:17")


def test_the_answer_says_how_a_typo_was_read(kb):
    result = kb.ask("搭受是违法的吗")
    assert result["answer"].startswith("（“搭受”已按“搭售”理解。）")
    assert result["question"] == "搭受是违法的吗"  # the question as typed is kept


@pytest.mark.parametrize("typed, pinyin", [
    ("wo zai wangshang mai dongxi yao ban yingye zhizhao ma", True),
    ("kai wangdian yao ban zhizhao ma", True),
    ("Can I sell cakes from home without a license", False),   # English: its own note and answer
    ("淘宝开店 yao ban zhizhao ma", False),                     # characters present: searched as usual
])
def test_a_question_in_pinyin_is_told_apart(typed, pinyin):
    from assistant.normalize import normalize
    text = normalize(typed)
    assert text.pinyin is pinyin and not (pinyin and text.english)


def test_a_question_in_pinyin_is_asked_again_in_characters(kb):
    result = kb.ask("wo zai wangshang mai dongxi yao ban yingye zhizhao ma")
    assert result["scope"] == "not_covered" and result["answer"].startswith("看起来您是用拼音输入的")
