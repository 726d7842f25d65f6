"""Money in everyday Chinese, read as an interval of yuan, with the words it came from.

"12万" is 120000, but "超过10万" is not 100000: it is *more than* 100000, and "十万多" lies between 100000 and
110000. Reading every amount as an interval keeps such qualifiers as facts, so a rule with a boundary (《网络交易
监督管理办法》第八条第三款: 不超过10万元) can tell whether the amount is on one side of it, or straddles it and must be
asked. Numerals are converted by `cn2an` (九万九 → 99000, 一万二 → 12000); this module only finds the spans and reads
the words around them: qualifiers (超过, 不到, 多, 出头, 左右), spoken ranges (五六万 counts as its upper end, the
conservative side of a "not more than" rule), periods (每个月 ×12, 每天 ×365) and contexts that are not sales
(罚款, 保证金, 每单 …, counts of 单/件/个).
"""

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

import cn2an

MAX_CHARS = 60  # a typed amount longer than this is not an amount (and never reaches int-string limits)
_CN_DIGITS = "零〇一二两三四五六七八九"
_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
# A number: Arabic (120,000 / 1.2 / 10) or Chinese (十二万, 九万九, 十多万), possibly mixed (1万2, 1.2万).
_NUMBER = re.compile(
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|[{_CN_DIGITS}十几])"
    rf"(?:\d+(?:\.\d+)?|[{_CN_DIGITS}十百千万亿几多]|点[{_CN_DIGITS}])*")
_UNIT = re.compile(r"\s*(块钱|块|元|w|W|k|K|rmb|RMB)")
_MULTIPLIER = {"w": 10000, "W": 10000, "k": 1000, "K": 1000}
# What may follow a number that is a count, a date or a rate, never money.
_NOT_MONEY_AFTER = re.compile(
    r"\s*(多)?\s*(粉丝|粉|人|单|件|个|次|份|条|箱|斤|盒|套|位|名|播放|阅读|赞|字|平|米|公里|步|张|本|瓶|包|袋|台|辆|只|"
    r"头|棵|亩|吨|克|年|月|日|号|天|岁|小时|分钟|秒|周|星期|点|%|％|款|倍|成|家|间|种|样|样|期|页|集|w粉|万粉)")
_SALES = re.compile(r"(卖|销售|销量|流水|营业额|交易额|收入|进账|成交|营收|销售额|出货|GMV|gmv|营业|卖出)")
_PROFIT = re.compile(r"(赚|挣|利润|盈利|纯利|净利)")
_NOT_TURNOVER = re.compile(
    r"(罚|保证金|押金|成本|花了|花费|投入|贷款|房租|租金|工资|税|退款|赔|资本|借|欠|运费|费用|手续费|佣金|扣|年费|会员费|"
    r"价格|售价|标价|定价|优惠|红包|返现|补贴|奖励|预算|本钱|门槛)")
# An amount someone else said or the rule states ("有人说十万以下不用管", "不是10万以下不用登记吗") is not the merchant's.
_REPORTED = re.compile(r"(听说|听人说|有人说|人家说|别人说|朋友说|他们说|大家说|据说|网上说|说是|规定|政策|标准)")
_RULE_AFTER = re.compile(r"\s*(的话)?(就|都|是)?(不用|不需要|无需|无须|免于|免|不必|可以不)")
_PRICE = re.compile(r"(每单|一单|单价|每件|一件|客单价|每个|每份|一份|每盒|一盒|一斤|每斤|一瓶|每瓶|一套|每套)\s*(大概|大约|约)?$")

_LOWER_OPEN = ("已经超过", "超过了", "超过", "超出", "超了", "高于", "大于", "多于", "不止", "过了", "破了", "上了", "突破", "超")
_LOWER_CLOSED = ("不少于", "不低于", "至少", "起码", "最少")
_UPPER_OPEN = ("还不到", "没有到", "不到", "不足", "没到", "不满", "未满", "少于", "低于", "小于", "没过", "将近", "接近",
               "快到", "差不多到", "快")
_UPPER_CLOSED = ("没有超过", "没超过", "未超过", "不超过", "最多", "顶多", "至多", "没有", "没")
_APPROX = ("差不多有", "大概有", "大约有", "大概", "大约", "差不多", "估计", "预计", "大致", "也就", "可能", "约")
_SUFFIX = re.compile(r"^\s*(多点|多|出头|开外|还多|有余|以上|以下|以内|之内|内|左右|上下|来|不到|\+|＋)")
_APPROX_SHARE = Decimal("0.1")

# Periods, nearest before the amount wins. "三个月卖了5万" says nothing about a year: it is not annualised.
_PERIODS = (
    (re.compile(r"(每个?月|一个月|一月|月均|月流水|月销售额|月销|月营业额|月收入|月入|月赚|上个?月|这个?月|本月)"), 12, "月"),
    (re.compile(r"(每天|每日|一天|日均|日销|天天|一日)"), 365, "天"),
    (re.compile(r"(每周|一周|每个?星期|一个?星期)"), 52, "周"),
    (re.compile(r"(半年)"), 2, "半年"),
    (re.compile(r"(一年|每年|全年|今年|去年|前年|年流水|年销|年营业额|年收入|年交易额|年均|一整年|年)"), 1, "年"),
)
_PERIOD_NOTES = {"月": "按一年 12 个月折算", "天": "按一年 365 天折算", "周": "按一年 52 周折算", "半年": "按半年 × 2 折算"}
_PARTIAL_PERIOD = re.compile(rf"([\d{_CN_DIGITS}十几]+)个(多)?月")
_TOTAL = re.compile(r"(加起来|合计|总共|一共|加一起|加在一起|总计|累计|总的|合起来|全部)")
_TOTAL_OVER = re.compile(r"(加起来|合计|总共|一共|加一起|加在一起|总计|累计|合起来)(已经|都|早就|就)?(超过了|超过|超了|超出|过了)"
                         rf"(?![\d{_CN_DIGITS}十])")
_PER_SHOP = re.compile(r"(各|分别|每家|每个店|每个平台|单个|一家店|一个店|每一家)")
_LEAD = re.compile(r"淘宝|天猫|京东|拼多多|抖音|快手|闲鱼|微店|小红书|美团|视频号|朋友圈|每个?月|一个月|每天|一天|每周|一年|每年|全年|今年|去年|半年|年|月|卖|流水|营业额|交易额|销售额|收入|营收|"
                   r"进账|成交|赚|挣|加起来|合计|一共|总共|单个|每家|各")
_RANGE_JOIN = re.compile(r"\s*(到|至|-|~|～|—|－)\s*")
_CLAUSE = re.compile(r"[，,。；;！!？?\n]")


@dataclass(frozen=True)
class Amount:
    """An amount of yuan as an interval; low == high for an exact amount. None means unbounded on that side."""

    low: Decimal | None = None
    high: Decimal | None = None
    low_open: bool = False
    high_open: bool = False
    words: str = ""   # the words it was read from, e.g. "一年卖十万多"
    note: str = ""    # how it was derived, e.g. "按每月 9,000 元 × 12 个月计算"

    @classmethod
    def exact(cls, value: Decimal, words: str = "", note: str = "") -> "Amount":
        return cls(value, value, False, False, words, note)

    @property
    def value(self) -> Decimal | None:
        """The amount when it is exact, else None."""
        return self.low if self.low is not None and self.low == self.high else None

    def scaled(self, factor: int) -> "Amount":
        return replace(self, low=None if self.low is None else self.low * factor,
                       high=None if self.high is None else self.high * factor)

    def intersect(self, other: "Amount") -> "Amount | None":
        """Both statements at once (一年三四万 and 10万以下), or None when they contradict (5万还是15万)."""
        low, low_open = _tighter(self.low, self.low_open, other.low, other.low_open, max)
        high, high_open = _tighter(self.high, self.high_open, other.high, other.high_open, min)
        if low is not None and high is not None and (low > high or (low == high and (low_open or high_open))):
            return None
        words = "”“".join(w for w in (self.words, other.words) if w)
        return Amount(low, high, low_open, high_open, words, "；".join(n for n in (self.note, other.note) if n))

    def overlaps(self, low: Decimal | None, high: Decimal | None) -> bool:
        """Whether the amount can lie in the bin (low, high] (None: unbounded)."""
        if low is not None and self.high is not None and (self.high < low or (self.high == low)):
            return False
        if high is not None and self.low is not None and (self.low > high or (self.low == high and self.low_open)):
            return False
        return True

    def describe(self) -> str:
        """How the amount is understood, in the words shown to users: 120,000 元 / 超过 100,000 元."""
        if self.value is not None:
            return f"{_fmt(self.value)} 元"
        if self.low is None and self.high is None:
            return "金额不明"
        if self.low is not None and self.high is not None and not (self.low_open or self.high_open):
            return f"{_fmt(self.low)} 至 {_fmt(self.high)} 元"
        if self.high is None:
            return f"{'超过' if self.low_open else '不少于'} {_fmt(self.low)} 元"
        if self.low is None:
            return f"{'不到' if self.high_open else '不超过'} {_fmt(self.high)} 元"
        return (f"{'超过' if self.low_open else '不少于'} {_fmt(self.low)} 元、"
                f"{'不到' if self.high_open else '不超过'} {_fmt(self.high)} 元")

    def canonical(self) -> str:
        """A text `parse_amount` reads back as the same interval (used in answers and verification ids)."""
        if self.value is not None or self.low is None or self.high is None:
            return self.describe().replace(" ", "").replace(",", "")
        return (f"{'超过' if self.low_open else '不少于'}{self.low.normalize():f}元、"
                f"{'不到' if self.high_open else '不超过'}{self.high.normalize():f}元")


def _tighter(a, a_open, b, b_open, pick):
    if a is None:
        return b, b_open
    if b is None or a == b:
        return a, a_open or (b_open if a == b else False)
    chosen = pick(a, b)
    return chosen, a_open if chosen == a else b_open


def _fmt(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Mention:
    """One amount found in a text, with what surrounds it (facts.py decides which mentions are turnover)."""

    amount: Amount
    start: int
    end: int
    qualified: bool      # a qualifier, range, period or sales word tells what the number is about
    kind: str            # "turnover" | "profit" | "total" | "per_shop" | "total_over"
    period: str = ""     # 年 / 月 / 天 / 周 / 半年, "" when not said


# --------------------------------------------------------------------------------------------- numerals

def _cn_value(text: str) -> Decimal | None:
    """cn2an on a numeral without ranges or 几; None when it is not a number."""
    text = text.replace(",", "")
    if not text:
        return None
    try:
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, IndexError, InvalidOperation, TypeError, AttributeError):
        return None


def _spoken_range(text: str) -> str | None:
    """五六万 → 六万, 十二三万 → 十三万, 两三千 → 三千: a spoken range taken at its upper end; None if none."""
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a in _DIGIT_VALUE and b in _DIGIT_VALUE and _DIGIT_VALUE[b] == _DIGIT_VALUE[a] + 1:
            return text[:i] + text[i + 1:]
    return None


def _number(span: str) -> tuple[Decimal, Decimal, bool, bool, bool] | None:
    """(low, high, low_open, high_open, is_range) of a numeral span, before units and qualifiers."""
    span = span.replace(",", "")
    trailing_more = span.endswith("多")
    core = span[:-1] if trailing_more else span
    if "几" in core:
        low = _cn_value(core.replace("几", "一" if core.startswith("十几") else "二", 1))
        high = _cn_value(core.replace("几", "九", 1))
        return (low, high, False, False, True) if low is not None and high is not None else None
    if "多" in core:  # 十多万: the coefficient before 多 is a lower bound within one step of its last digit
        head, _, tail = core.partition("多")
        base, top = _cn_value(head + tail), None
        if base is None:
            return None
        step = _step(head) * (_cn_value("1" + tail) or Decimal(1)) if tail else _step(head)
        top = base + step
        return base, top, True, False, True
    spoken = _spoken_range(core)
    if spoken is not None:
        value = _cn_value(spoken)
        return (value, value, False, False, True) if value is not None else None
    value = _cn_value(core)
    if value is None:
        return None
    if trailing_more:
        return value, value + _step(core), True, True, True
    return value, value, False, False, False


def _step(numeral: str) -> Decimal:
    """The unit a trailing 多 counts in: 十万多 → 1万, 三千多 → 1000, 5000多 → 1000, 二十多 → 10."""
    if numeral and numeral[-1] in "万千百十亿":
        unit = {"万": 10000, "千": 1000, "百": 100, "十": 10, "亿": 100000000}[numeral[-1]]
        return Decimal(unit)
    digits = numeral.replace(",", "")
    if digits.isdigit():
        zeros = len(digits) - len(digits.rstrip("0"))
        return Decimal(10) ** min(zeros, 8) if zeros else Decimal(1)
    return Decimal(1)


# --------------------------------------------------------------------------------------------- mentions

def _clause_before(text: str, start: int) -> str:
    cut = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    return text[cut:start]


def _ends_with(before: str, words: tuple[str, ...]) -> str | None:
    stripped = re.sub(r"(了|已经|都|也|才|就|还|有|到|是|能|个)$", "", before.rstrip())
    for candidate in (before.rstrip(), stripped):
        for word in sorted(words, key=len, reverse=True):  # 不超过 before 超过
            if candidate.endswith(word):
                return word
    return None


def find_mentions(text: str, context_free: bool = False) -> tuple[list[Mention], bool]:
    """Every money amount in `text` (annualised when a period is said), and whether a partial period made one
    unreadable. `context_free` (a typed answer to a money question) takes a bare number as yuan."""
    mentions, partial = [], False
    for match in _NUMBER.finditer(text):
        span, start, end = match.group(), match.start(), match.end()
        if start > 0 and text[start - 1] in "第":
            continue  # 第八条
        if span[0] in "十" and start > 0 and text[start - 1] in _CN_DIGITS:
            continue
        parsed = _number(span)
        if parsed is None:
            continue
        low, high, low_open, high_open, is_range = parsed
        unit = _UNIT.match(text, end)
        multiplier = Decimal(1)
        if unit:
            multiplier = Decimal(_MULTIPLIER.get(unit.group(1), 1))
            end = unit.end()
        after = text[end:]
        if not unit and _NOT_MONEY_AFTER.match(after):
            continue
        has_cn_multiplier = any(c in span for c in "万千百亿")
        before = _clause_before(text, start)
        sales = bool(_SALES.search(before[-8:]))
        period_kind = _period(before)
        if not (unit or has_cn_multiplier or context_free or sales or period_kind or _RANGE_JOIN.match(after)):
            continue  # a bare number with nothing saying it is money (12315, 3 个 …)
        if not (unit or has_cn_multiplier or context_free or span[0].isdigit()):
            continue  # a lone Chinese numeral is a word more often than money (二手, 一下, 三无)
        if span.isdigit() and len(span) == 4 and span.startswith(("19", "20")) and not unit and not sales:
            continue  # a year
        low, high = low * multiplier, high * multiplier
        amount = Amount(low, high, low_open, high_open)
        qualified = is_range or bool(sales)
        # Qualifiers before the number.
        word = _ends_with(before, _LOWER_OPEN + _LOWER_CLOSED + _UPPER_OPEN + _UPPER_CLOSED + _APPROX)
        suffix = _SUFFIX.match(after)
        if word:
            amount = _qualify(amount, word)
            qualified = True
        if suffix:
            amount = _qualify_suffix(amount, suffix.group(1), _step(span.rstrip("多")) * multiplier)
            end += suffix.end()
            qualified = True
        kind = "turnover"
        if _PRICE.search(before[-6:]) or _NOT_TURNOVER.search(before[-8:]):
            continue
        if _REPORTED.search(before) or _RULE_AFTER.match(text, end):
            continue
        if _PROFIT.search(before[-6:]) and not sales:
            kind = "profit"
            amount = Amount(amount.low, None, amount.low_open, False)
            qualified = True
        partial_period = _PARTIAL_PERIOD.search(before)
        if partial_period and _DIGIT_VALUE.get(partial_period.group(1)) != 1 and partial_period.group(1) != "1" \
                and period_kind is None:
            partial = True
            continue
        note = ""
        if period_kind and period_kind[0] != 1:
            factor, name = period_kind
            note = _PERIOD_NOTES[name]
            amount = amount.scaled(factor)
            qualified = True
        elif period_kind:
            qualified = True
        if _TOTAL.search(before[-6:]):
            kind = "total"
        elif _PER_SHOP.search(before[-6:]):
            kind = "per_shop"
        words = _words(text, start, end)
        mentions.append(Mention(replace(amount, words=words, note=note), start, end, qualified, kind,
                                period_kind[1] if period_kind else ""))
    mentions = _merge_ranges(text, mentions)
    for match in _TOTAL_OVER.finditer(text):
        mentions.append(Mention(Amount(words=match.group()), match.start(), match.end(), True, "total_over", ""))
    return mentions, partial


def _merge_ranges(text: str, mentions: list[Mention]) -> list[Mention]:
    """5到6万, 5-6万, 五万至六万: a spoken range, counted at its upper end like 五六万."""
    out: list[Mention] = []
    for mention in mentions:
        previous = out[-1] if out else None
        if previous and _RANGE_JOIN.fullmatch(text[previous.end:mention.start]):
            words = _words(text, previous.start, mention.end)
            out[-1] = replace(mention, start=previous.start, qualified=True,
                              amount=replace(mention.amount, words=words))
            continue
        out.append(mention)
    return out


def _words(text: str, start: int, end: int) -> str:
    """The words an amount was read from, as the user wrote them: from the period or sales word before it
    (一年卖6万元, 每个月流水大概九千), else the amount with what qualifies it."""
    begin = max(_last_clause_start(text, start), start - 10)
    window = text[begin:start]
    lead = _LEAD.search(window)
    if lead:
        begin += lead.start()
    else:
        qualifier = _ends_with(window, _LOWER_OPEN + _LOWER_CLOSED + _UPPER_OPEN + _UPPER_CLOSED + _APPROX)
        begin = start - len(qualifier) if qualifier and window.endswith(qualifier) else start
    return text[begin:end].strip("，,。 ")


def _last_clause_start(text: str, start: int) -> int:
    return max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)


def _period(before: str) -> tuple[int, str] | None:
    best = None
    for pattern, factor, name in _PERIODS:
        for match in pattern.finditer(before):
            if best is None or match.end() > best[0]:
                best = (match.end(), factor, name)
    return (best[1], best[2]) if best else None


def _qualify(amount: Amount, word: str) -> Amount:
    low, high = amount.low, amount.high
    if word in _LOWER_OPEN:
        return Amount(high, None, True, False)
    if word in _LOWER_CLOSED:
        return Amount(low, None, False, False)
    if word in _UPPER_OPEN:
        return Amount(None, high, False, True)
    if word in _UPPER_CLOSED:
        return Amount(None, high, False, False)
    return _approximate(amount)


def _qualify_suffix(amount: Amount, word: str, step: Decimal) -> Amount:
    low, high = amount.low, amount.high
    if word in ("多", "多点", "出头", "开外", "还多", "有余", "+", "＋"):
        if amount.low_open:  # 十万多 already read by _number
            return amount
        unbounded = word in ("开外", "还多", "有余", "+", "＋")
        return Amount(high, None if unbounded else high + step, True, not unbounded)
    if word == "以上":
        return Amount(low, None, False, False)
    if word in ("以下", "以内", "之内", "内"):
        return Amount(None, high, False, False)
    if word == "不到":
        return Amount(None, high, False, True)
    return _approximate(amount)


def _approximate(amount: Amount) -> Amount:
    low = amount.low if amount.low is not None else amount.high
    high = amount.high if amount.high is not None else amount.low
    return Amount(low * (1 - _APPROX_SHARE), high * (1 + _APPROX_SHARE))


def parse_amount(text: str) -> Amount | None:
    """A typed answer to a money question ("12万", "120,000", "十万多", "每个月九千"); None if it is not one amount."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHARS:
        return None
    text = text.strip()
    canonical = re.fullmatch(r"(超过|不少于|不到|不超过)([\d.]+)元(?:、(不到|不超过)([\d.]+)元)?",
                             text.replace(",", "").replace(" ", ""))
    if canonical:
        return _canonical(canonical)
    mentions, partial = find_mentions(text, context_free=True)
    mentions = [m for m in mentions if m.kind != "total_over"]
    if partial or len(mentions) != 1:
        return None
    rest = (text[:mentions[0].start] + text[mentions[0].end:]).strip()
    if re.search(r"[\d\-－负]", rest) or len(re.sub(r"[\s,，。.!！?？]", "", rest)) > 8:
        return None  # other numbers, a sign, or a whole sentence around the amount
    return replace(mentions[0].amount, words=text)


def _canonical(match) -> Amount:
    first, value = match.group(1), Decimal(match.group(2))
    if first in ("超过", "不少于"):
        amount = Amount(value, None, first == "超过", False)
        if match.group(3):
            amount = replace(amount, high=Decimal(match.group(4)), high_open=match.group(3) == "不到")
        return amount
    return Amount(None, value, False, first == "不到")
