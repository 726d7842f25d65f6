"""Read the facts a questionnaire asks about from what a merchant wrote, turn by turn.

Choice and yes/no answers are read from the `cues` the questionnaire declares on each option (个人网店 → operator:
individual; 自家种 → activity: own_farm_products), money from the amounts module (一年卖十万多 → annual_turnover >
100000). Every fact keeps the words it came from, so an answer can say 根据您说的“一年卖6万”. A fact is read only
when the text states it: a cue that is negated (不是个体户), questioned (这算自产的吗), contradicted by a cue of another
option, or an amount that straddles a boundary (10万左右) is left out, and the questionnaire asks instead.

A reply to the question the previous turn asked (a quick-reply button's label, 是/否, "12万") answers that
question directly; a later statement overrides an earlier one.
"""

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from assistant.amounts import Amount, Mention, find_mentions, parse_amount
from assistant.flows import Question, Questionnaire, parse_number

_NEGATION = ("不是", "没有", "并非", "不算", "不属于", "非", "不", "没", "未", "无", "别")
_QUESTIONED = re.compile(r"(算不算|算是|能算|可以算|算|属于|是不是|是否|能不能)")
_INTERROGATIVE = re.compile(r"(吗|么|呢|嘛|不|没|否|\?|？)\s*$|要不要|需不需要|用不用|是不是|有没有|是否|能不能|可不可以")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
_HEAD = re.compile(r"[，,、（(]")
_STRIP = re.compile(r"[\s，,。；;！!？?、：:“”\"'（）()]+")
_YES = {"是", "是的", "对", "对的", "需要", "要", "有", "嗯", "是呀", "是啊", "需要的"}
_NO = {"否", "不是", "不", "不需要", "不要", "没有", "无", "不用", "没", "不是的", "无需", "无须"}
# Shops on several platforms are added up (《网络交易监督管理办法》第八条第三款: 各网店交易额合并计算).
_SHOP = re.compile(r"(淘宝|天猫|京东|拼多多|抖音|快手|闲鱼|微店|小红书|美团|饿了么|视频号|朋友圈|微信|有赞|得物|1688|亚马逊|"
                   r"独立站|网店|店铺|店|平台|那边|这边|另一个|另外)")


@dataclass(frozen=True)
class Fact:
    """One answer read from the conversation: the engine's value, and the words it came from."""

    key: str
    value: Any          # an option id, a Decimal, or an Amount (an interval of yuan)
    words: str
    turn: int = 0       # 0 = the question being answered, 1 = the turn before it, …
    note: str = ""      # how a number was derived, e.g. 按一年 12 个月折算

    @property
    def answer(self):
        """The value in the form `assess` and the JSON API take (numbers, option ids, amount texts)."""
        if isinstance(self.value, Amount):
            return _plain(self.value.value) if self.value.value is not None else self.value.canonical()
        if isinstance(self.value, Decimal):
            return _plain(self.value)
        return self.value


def _plain(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Reading:
    """What was read from a conversation for one questionnaire."""

    facts: dict[str, Fact] = field(default_factory=dict)
    cautions: list[tuple[str, str]] = field(default_factory=list)  # (words, text) e.g. 蛋糕 → a licence may be needed
    unclear: list[str] = field(default_factory=list)               # why a stated fact was left out
    cautioned: set[str] = field(default_factory=set)               # keys whose caution words were read

    @property
    def answers(self) -> dict:
        return {key: fact.answer for key, fact in self.facts.items()}

    def merge(self, later: "Reading") -> None:
        """Add a later turn: its facts override, its cautions and doubts add up."""
        for key, fact in later.facts.items():
            self.facts[key] = fact
        for key in later.cautioned - later.facts.keys():
            # "否" to the licence question, then "另外我还卖点酒": goods that may need a licence, named after the
            # answer, reopen it rather than leave an exemption standing on it.
            fact = self.facts.get(key)
            if fact is not None and fact.answer == "no" and not any(c in self.cautions for c in later.cautions):
                del self.facts[key]
                self.unclear.append(f"[{key}]您后来提到的商品或者服务可能需要取得行政许可，请重新确认这个问题。")
        self.cautioned |= later.cautioned
        self.cautions.extend(c for c in later.cautions if c not in self.cautions)
        self.unclear = [u for u in self.unclear if not any(u.startswith(f"[{k}]") for k in later.facts)]
        self.unclear.extend(u for u in later.unclear if u not in self.unclear)


# --------------------------------------------------------------------------------------------- reading

def read(text: str, questionnaire: Questionnaire, pending: Question | None = None, turn: int = 0) -> Reading:
    """Facts stated in one turn; `pending` is the question the conversation asked last, which a short reply answers."""
    reading = Reading()
    if pending is not None:
        reply = _reply(text, pending)
        if reply is not None:
            reading.facts[pending.key] = replace(reply, turn=turn)
            return reading
    _read_cues(text, questionnaire, reading, turn)
    for key, question in questionnaire.keys.items():
        if question.money:
            _read_money(text, question, reading, turn)
    return reading


def read_conversation(turns: list[str], questionnaire: Questionnaire, replies: bool = True
                      ) -> tuple[Reading, Question | None]:
    """Facts from the user's turns, oldest first, each reply matched to the question pending at that point (unless
    `replies` is off); returns the reading and the question still pending after the last turn."""
    reading = Reading()
    for age, text in enumerate(turns):
        pending = _pending(questionnaire, reading) if replies else None
        reading.merge(read(text, questionnaire, pending, turn=len(turns) - 1 - age))
    return reading, _pending(questionnaire, reading)


def _pending(questionnaire: Questionnaire, reading: Reading) -> Question | None:
    """The question the engine would ask next for these facts (None when they reach an outcome)."""
    from assistant.flows import normalise_answers

    try:
        values = normalise_answers(questionnaire, reading.answers)
    except Exception:  # noqa: BLE001 - facts are read to be valid; a bad one only means no pending question
        return None
    _, end = questionnaire.walk(values)
    return end if isinstance(end, Question) else None


def is_reply(text: str, pending: Question | None) -> bool:
    """Whether a turn just answers the pending question."""
    return pending is not None and _reply(text, pending) is not None


def reply_like(text: str, question: Question) -> bool:
    """Whether a turn could be a bare answer to `question` (used to find where a topic started)."""
    return _reply(text, question) is not None


def _reply(text: str, question: Question) -> Fact | None:
    """A turn that is just an answer to `question`: an option's label or id, 是/否, or a number."""
    short = _STRIP.sub("", text).lower()
    if not short:
        return None
    labels = {option.id: option.label for option in question.options}
    for option in question.options:
        if short in (_STRIP.sub("", option.label).lower(), option.id):
            return Fact(question.key, option.id, option.label)
    # A reply in one's own words starts with the gist and may add a detail: "个人，没办", "其他商品，就是卖面膜".
    first = _STRIP.sub("", _CLAUSE_END.split(text.strip())[0]).lower()
    if question.type == "yes_no":
        if short in _YES or first in _YES:
            return Fact(question.key, "yes", labels.get("yes", text.strip()))
        if short in _NO or first in _NO:
            return Fact(question.key, "no", labels.get("no", text.strip()))
    if len(first) >= 2:
        # The gist is the start of exactly one option's label up to its first comma ("个人", "其他商品或者服务").
        heads = {option.id: _STRIP.sub("", _HEAD.split(option.label)[0]).lower() for option in question.options}
        matches = [option for option, head in heads.items() if head.startswith(first)]
        if len(matches) == 1:
            return Fact(question.key, matches[0], labels[matches[0]])
    if question.type == "number":
        number = parse_number(text.strip())
        if number is None and question.money:
            # A reply naming several amounts ("两个店一个6万一个7万") or shops ("这个店8万，还有个店没算") is a statement:
            # the statement reader adds shops up or asks again, never takes one of the amounts.
            several = len(find_mentions(text)[0]) > 1 or _OTHER_SHOPS.search(text)
            amount = None if several else parse_amount(text)
            if amount is not None:
                return Fact(question.key, amount.value if amount.value is not None else amount, text.strip(),
                            note=amount.note)
        elif number is not None:
            return Fact(question.key, number, text.strip())
    return None


_OTHER_SHOPS = re.compile(r"(还有|另外|另一|其他|别的)[^,.?!;:，。？！；：]{0,4}(店|网店|平台)")
_SEVERAL_SHOPS = re.compile(rf"(两|三|四|几|多|2|3|4)(个|家)(网店|店|平台)|{_OTHER_SHOPS.pattern}|各(个|家)?(网店|店|平台)")


def _cue_table(questionnaire: Questionnaire) -> list[tuple[str, str, str]]:
    """(cue, key, option id) for every cue of every node, longest first (nodes sharing a key share cues)."""
    rows = {(cue, q.key, option.id) for q in questionnaire.questions.values() for option in q.options
            for cue in option.cues}
    return sorted(rows, key=lambda row: (-len(row[0]), row))


def _read_cues(text: str, questionnaire: Questionnaire, reading: Reading, turn: int) -> None:
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    found: dict[str, dict[str, tuple[str, bool]]] = {}
    types = {key: q.type for key, q in questionnaire.keys.items()}
    for cue, key, option in _cue_table(questionnaire):
        for match in re.finditer(re.escape(cue.lower()), lowered):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue  # a longer cue covers it (办个体户 covers 个体户)
            taken.append((start, end))
            if _negated(lowered, start, cue) or _questioned(lowered, start, end, types[key]):
                continue
            stated = not _interrogative(lowered, start, end)
            words, was_stated = found.setdefault(key, {}).get(option, (text[start:end], stated))
            found[key][option] = (words, was_stated or stated)
    for key, candidates in found.items():
        # What is stated (我们公司在天猫开店) beats what a question implies (需要办理登记吗 → not registered yet).
        statements = {option: words for option, (words, stated) in candidates.items() if stated}
        options = statements or {option: words for option, (words, _) in candidates.items()}
        if len(options) == 1:
            option, words = next(iter(options.items()))
            reading.facts[key] = Fact(key, option, words, turn)
        else:
            words = "”和“".join(options.values())
            reading.unclear.append(f"[{key}]您提到的“{words}”指向不同的情况，需要您确认。")
    for q in {q.key: q for q in questionnaire.questions.values() if q.caution}.values():
        for cue in q.caution.cues:
            index = lowered.find(cue.lower())
            if index >= 0 and not _negated(lowered, index, cue):
                entry = (text[index:index + len(cue)], q.caution.text.replace("{cue}", text[index:index + len(cue)]))
                if entry not in reading.cautions:
                    reading.cautions.append(entry)
                reading.cautioned.add(q.key)
                break


def _negated(text: str, start: int, cue: str) -> bool:
    if cue.startswith(_NEGATION):
        return False
    before = text[max(0, start - 3):start]
    return any(before.endswith(word) for word in _NEGATION)


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause around a span: the part before it and the rest up to (and including) the clause's end mark."""
    begin = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    stop = _CLAUSE_END.search(text, end)
    return text[begin:start], text[end:stop.end() if stop else len(text)]


def _interrogative(text: str, start: int, end: int) -> bool:
    before, after = _clause(text, start, end)
    return bool(_INTERROGATIVE.search((before + text[start:end] + after).strip()))


def _questioned(text: str, start: int, end: int, qtype: str) -> bool:
    """这算我自产的吗: the clause asks whether the cue applies. For yes/no facts any interrogative clause counts."""
    before, after = _clause(text, start, end)
    if _QUESTIONED.search(before) and _INTERROGATIVE.search(after.strip()):
        return True
    return qtype == "yes_no" and _interrogative(text, start, end)


# --------------------------------------------------------------------------------------------- money

def _read_money(text: str, question: Question, reading: Reading, turn: int) -> None:
    mentions, partial = find_mentions(text)
    boundaries = [r.max for r in question.ranges if r.max is not None]
    if partial and not mentions:
        reading.unclear.append(f"[{question.key}]您说的是几个月的金额，无法折算一年的交易额。")
        return
    amount = _turnover(text, mentions, boundaries, question, reading)
    if amount is None:
        return
    if _SEVERAL_SHOPS.search(text) and not any(m.kind in ("total", "total_over") for m in mentions) \
            and len(mentions) < 2:
        # "两个店一个6万一个7万", "这个店8万，还有个店没算": one amount read, more shops named; the shops' turnover is
        # added up (Art. 8(3)), so one shop's figure is never the year's total.
        reading.unclear.append(f"[{question.key}]您提到了不止一家网店；各网店的交易额要合并计算，请告诉我所有网店合计一年的交易额。")
        return
    labels = question.range_labels(amount)
    if len(labels) > 1:
        reading.unclear.append(f"[{question.key}]根据您说的“{amount.words}”（{amount.describe()}），无法判断属于"
                               f"{'还是'.join(f'“{label}”' for label in labels)}。")
        return
    value = amount.value if amount.value is not None else amount
    reading.facts[question.key] = Fact(question.key, value, amount.words, turn, amount.note)


def _turnover(text: str, mentions: list[Mention], boundaries: list[Decimal], question: Question,
              reading: Reading) -> Amount | None:
    """One yearly amount for all shops together, or None (nothing said, or too unclear to use)."""
    over = [m for m in mentions if m.kind == "total_over"]
    totals = [m for m in mentions if m.kind == "total"]
    if over:
        # 加起来超了: more than the largest amount mentioned, or than the rule's boundary.
        limits = [m.amount.high or m.amount.low for m in mentions if m.kind != "total_over"
                  and (m.amount.high or m.amount.low)] or boundaries
        return Amount(max(limits), None, True, False, over[0].amount.words) if limits else None
    if totals:
        return _intersect(totals, question, reading)
    plain = [m for m in mentions if m.kind in ("turnover", "profit")
             and (m.qualified or m.amount.value not in boundaries)]  # a bare "10万" is the rule, not a fact
    per_shop = [m for m in mentions if m.kind == "per_shop"]
    if per_shop and not plain:
        reading.unclear.append(f"[{question.key}]您说的是每家店的金额（“{per_shop[0].amount.words}”）；各网店的交易额"
                               "要合并计算。")
        return None
    if not plain:
        return None
    if len(plain) > 1 and all(_SHOP.search(text[_previous_end(plain, i):m.start]) for i, m in enumerate(plain)):
        return _sum(plain)
    return _intersect(plain, question, reading)


def _previous_end(mentions: list[Mention], i: int) -> int:
    return mentions[i - 1].end if i else 0


def _sum(mentions: list[Mention]) -> Amount:
    low = sum((m.amount.low or Decimal(0) for m in mentions), Decimal(0))
    highs = [m.amount.high for m in mentions]
    high = None if any(h is None for h in highs) else sum(highs, Decimal(0))
    words = "”“".join(m.amount.words for m in mentions)
    amount = Amount(low, high, any(m.amount.low_open for m in mentions), any(m.amount.high_open for m in mentions),
                    words, "各网店合并计算")
    return amount


def _intersect(mentions: list[Mention], question: Question, reading: Reading) -> Amount | None:
    amount = mentions[0].amount
    for mention in mentions[1:]:
        combined = amount.intersect(mention.amount)
        if combined is None:
            reading.unclear.append(f"[{question.key}]您提到了几个不同的金额（“{amount.words}”和“{mention.amount.words}”），"
                                   "需要您确认一年的交易额。")
            return None
        amount = combined
    return amount
