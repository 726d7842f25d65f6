"""The first stage of every question: text as people type it, made comparable with the corpus.

Traditional characters become simplified with OpenCC (a maintained converter with phrase tables, so 營業執照 →
营业执照 and 淘寶 → 淘宝, not character by character); full-width letters, digits and punctuation become their
ASCII forms (ＮＦＫＣ), so "１２万" is read like "12万"; runs of white space and repeated punctuation collapse.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass

import opencc

from assistant.typos import typed_in_pinyin

_converter = None
_lock = threading.Lock()
_REPEATED = re.compile(r"([!?,.~，。！？、…])\1+")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _t2s():
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                _converter = opencc.OpenCC("t2s")
    return _converter


@dataclass(frozen=True)
class Text:
    """A question as typed (`original`) and as the later stages read it (`text`)."""

    original: str
    text: str
    traditional: bool   # the question contained traditional characters that were converted
    english: bool       # the question is written in English (no Chinese characters, several Latin words)
    corrections: tuple[tuple[str, str], ...] = ()  # homophone typos corrected (typed, read as): see typos.py
    pinyin: bool = False  # typed in pinyin without characters: asked to retype it, in Chinese


def normalize(question: str) -> Text:
    """Simplified characters, ASCII forms of full-width characters, single spaces, no repeated punctuation."""
    folded = unicodedata.normalize("NFKC", question)
    # NFKC turns the full-width Chinese comma and question mark into ASCII too; both forms are read alike later.
    simplified = _t2s().convert(folded)
    text = _REPEATED.sub(r"\1", " ".join(simplified.split()))
    pinyin = typed_in_pinyin(text)
    english = not pinyin and not _HAN.search(text) and len(_LATIN_WORD.findall(text)) >= 2
    return Text(question, text, simplified != folded, english, pinyin=pinyin)
