"""From chat to self-assessment: which questionnaire decides a question, and facts in it that can prefill answers."""

import re
from decimal import Decimal

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000, "元": 1, "块": 1, "块钱": 1}
# An amount: Arabic ("6万", "60000元", "10w", "1.5万") or Chinese numerals ("五六万", "十二三万", "八万多").
_AMOUNT = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(?P<unit>块钱|万|w|W|千|k|K|元|块)")
_TURNOVER_CONTEXT = re.compile(r"卖|销售|营业额|流水|交易额|收入|进账|成交|营收|赚")


def _chinese_to_number(text: str) -> int:
    """十二三 → 13 and 五六 → 6 (a spoken range counts as its upper end), 二十五 → 25, 一百零五 → 105."""
    total, current, previous_digit = 0, 0, False
    for ch in text:
        if ch in _DIGIT:
            current = max(current, _DIGIT[ch]) if previous_digit else _DIGIT[ch]
            previous_digit = True
        else:
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current, previous_digit = 0, False
    return total + current


def amounts_in(text: str) -> list[Decimal]:
    """Money amounts mentioned in a question, in yuan."""
    out = []
    for match in _AMOUNT.finditer(text):
        num, unit = match.group("num"), match.group("unit")
        value = Decimal(num) if num[0].isdigit() else Decimal(_chinese_to_number(num))
        out.append(value * _UNIT[unit])
    return out


def prefill(question: str, questionnaire) -> dict:
    """Answers stated in the question: a yearly amount goes to the questionnaire's number question about turnover."""
    number_keys = [key for key, q in questionnaire.keys.items() if q.type == "number"]
    if len(number_keys) != 1 or not _TURNOVER_CONTEXT.search(question):
        return {}
    amounts = amounts_in(question)
    if len(amounts) != 1:  # several amounts ("5万还是15万") are not a stated fact
        return {}
    value = amounts[0]
    return {number_keys[0]: int(value) if value == value.to_integral_value() else float(value)}


def suggest(citations: list[dict], questionnaires: dict):
    """The questionnaire that declares (`suggest_for`) the article an answer cites first, if any."""
    if not citations:
        return None
    first = (citations[0]["source"], citations[0]["article"])
    for questionnaire in questionnaires.values():
        if any((c.source, c.article) == first for c in questionnaire.suggest_for):
            return questionnaire
    return None
