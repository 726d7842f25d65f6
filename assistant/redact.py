"""Personal data taken out of free text before it is stored: mobile and landline numbers, ID-card and bank-card
numbers, e-mail addresses.

People write these in disguise (full-width digits, 一三八…, "abc at qq dot com", separators, zero-width characters),
so detection runs on a normalised copy of the text while the replacement is applied to the matching span of the
original, leaving everything else as it was written. Numbers are recognised by structure and check digits (the
ID-card check character, Luhn for cards), never by length alone, so amounts, dates and article numbers survive.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

TOKENS = {
    "mobile": "[手机号已隐去]",
    "landline": "[电话已隐去]",
    "id_card": "[身份证号已隐去]",
    "bank_card": "[银行卡号已隐去]",
    "email": "[邮箱已隐去]",
}

# Digits read out one by one, as phone numbers are dictated (幺 for 1, 两 for 2; 洞/拐/勾 in radio speech), and the
# financial forms. Quantities always carry a unit (十二万, 一百二十), so they never become a long digit run.
_CN_DIGITS = {ch: str(d) for d, chars in enumerate(
    ["零〇洞", "一幺壹", "二两兩贰貳", "三叁參", "四肆", "五伍", "六陆陸", "七柒拐", "八捌", "九玖勾"]) for ch in chars}

_AT = r"(?:\s*[@#]\s*|\s*[\[(<{]\s*(?:at|a|艾特)\s*[\])>}]\s*|\s+at\s+|\s*艾特\s*)"
_DOT = r"(?:\s*\.\s*|\s*[\[(<{]\s*(?:dot|点)\s*[\])>}]\s*|\s+dot\s+|\s*点\s*)"
_EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*"
                    rf"{_DOT}[A-Za-z]{{2,}}(?![A-Za-z0-9])", re.IGNORECASE)

# A run of digits that may be broken up by one separator (or spaces) between any two digits: 138-1234-5678,
# (010)1234 5678, +86 138…, 1101 0119 9003 0745 14, with an ID card's final X.
_SEP = r"(?:\s*[-‐‑‒–—―−_./·・、()]\s*|\s+)"
_CHUNK = re.compile(rf"(?:[+(]\s*)*(?<![0-9])[0-9](?:{_SEP}?[0-9])*(?:{_SEP}?[Xx](?![A-Za-z0-9]))?")
_GROUP = re.compile(r"[0-9]+|[Xx]")
# A number followed by a unit or preceded by a currency sign is an amount, whatever its digits look like.
_UNIT_AFTER = re.compile(r"\s*(?:元|块|万|亿|千|百|%|‰|美元|人民币|rmb|usd)", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(?:[¥$€£]|rmb|usd|人民币)\s*$", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:转|分机|内线|ext\.?|x|#)\s*[0-9]{1,6}(?![0-9])", re.IGNORECASE)

_MOBILE = re.compile(r"(?:0086|86|0)?1[3-9][0-9]{9}")
# 010 and 02x are three-digit area codes, the others four; from abroad (+86) the leading 0 is dropped.
_LANDLINE = re.compile(r"(?:0|0086|86)(?:10|2[0-9]|[3-9][0-9]{2})[0-9]{7,8}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MAX_DIGITS = 19  # the longest number recognised (a bank card); longer runs are not split into guesses


@dataclass(frozen=True)
class Found:
    """One piece of personal data: its kind (a key of TOKENS) and its span in the original text."""

    kind: str
    start: int
    end: int


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        return date(year, month, day) <= date.today() and year >= 1900
    except ValueError:
        return False


def _id18(digits: str) -> bool:
    """A mainland resident ID: area, a real birth date, sequence, and the ISO 7064 MOD 11-2 check character."""
    if len(digits) != 18 or digits[0] == "0" or not digits[:17].isdigit():
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS)) % 11]
    return digits[17].upper() == check and _valid_date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))


def _id15(digits: str) -> bool:
    """The pre-1999 form: area, a birth date without the century, sequence; it has no check digit."""
    return (len(digits) == 15 and digits.isdigit() and digits[0] != "0"
            and _valid_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12])))


def luhn(digits: str) -> bool:
    """The Luhn check every payment card number passes."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _bank_card(digits: str) -> bool:
    # Issuer prefixes (UnionPay 62, Visa 4, Mastercard 5 and 22-27, Amex/JCB 3, old domestic cards 9) keep
    # year-led order numbers (2024…) out.
    return (13 <= len(digits) <= 19 and digits.isdigit() and (digits[0] in "34569" or "22" <= digits[:2] <= "27")
            and luhn(digits))


# Strictest first: a run that fits several kinds is named by the one least likely to be a coincidence.
_KINDS = (
    ("id_card", _id18),
    ("mobile", _MOBILE.fullmatch),
    ("landline", _LANDLINE.fullmatch),
    ("id_card", _id15),
    ("bank_card", _bank_card),
)


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text to search, and for each of its characters the index of the original character it came from."""
    chars, origin = [], []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":
            continue  # zero-width spaces and joiners inside a number hide nothing
        out = _CN_DIGITS.get(ch)
        if out is None:
            digit = unicodedata.decimal(ch, None)
            out = str(digit) if digit is not None else unicodedata.normalize("NFKC", ch).replace("。", ".")
        chars.append(out)
        origin.extend([i] * len(out))
    return "".join(chars), origin


def _numbers(text: str, chunk: re.Match) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each number in one digit run, trying the longest run of groups first from each group."""
    groups = [(g.group().upper(), chunk.start() + g.start(), chunk.start() + g.end())
              for g in _GROUP.finditer(chunk.group())]
    prefix = text[chunk.start():groups[0][1]]
    first_sep = text[groups[0][2]:groups[1][1]] if len(groups) > 1 else ""
    if "+" in prefix or ("(" in prefix and ")" in first_sep):
        groups[0] = (groups[0][0], chunk.start(), groups[0][2])  # +86 and (010) belong to the number
    amount_after = bool(_UNIT_AFTER.match(text, chunk.end()))
    amount_before = bool(_CURRENCY_BEFORE.search(text, max(0, chunk.start() - 8), chunk.start()))
    found, i = [], 0
    while i < len(groups):
        ends, digits = [], ""
        for j in range(i, len(groups)):
            digits += groups[j][0]
            if len(digits) > _MAX_DIGITS:
                break
            if not ((i == 0 and amount_before) or (j == len(groups) - 1 and amount_after)):
                ends.append((j, digits))
        match = next(((kind, j) for kind, test in _KINDS for j, digits in reversed(ends) if test(digits)), None)
        if match is None:
            i += 1
            continue
        kind, j = match
        end = groups[j][2]
        if kind == "landline":
            if j + 1 < len(groups) and len(groups[j + 1][0]) <= 6 and "-" in text[end:groups[j + 1][1]]:
                j += 1  # 0755-1234 5678-8001: the extension
                end = groups[j][2]
            if extension := _EXTENSION.match(text, end):
                end = extension.end()
        found.append((kind, groups[i][1], end))
        i = j + 1
    return found


def find(text: str) -> list[Found]:
    """Every piece of personal data in `text`, as spans of the original text, in order."""
    norm, origin = _normalise(text)
    spans = [("email", m.start(), m.end()) for m in _EMAIL.finditer(norm)]
    masked = list(norm)
    for _, start, end in spans:
        masked[start:end] = "\uffff" * (end - start)  # an e-mail's digits are not also a phone number
    masked = "".join(masked)
    for chunk in _CHUNK.finditer(masked):
        spans.extend(_numbers(masked, chunk))
    found = [Found(kind, origin[start], origin[end - 1] + 1) for kind, start, end in spans]
    return sorted(found, key=lambda f: f.start)


def redact(text: str | None) -> str | None:
    """`text` with each piece of personal data replaced by its placeholder (TOKENS); None stays None."""
    if text is None:
        return None
    for found in reversed(find(text)):
        text = text[:found.start] + TOKENS[found.kind] + text[found.end:]
    return text
