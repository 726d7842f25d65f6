"""Parser for the authoritative law texts in ../shared/reference, used to check the corpus verbatim."""

import re
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"

ARTICLE_RE = re.compile(r"^(第[一二三四五六七八九十百零]+条)\s+(.*)$")
ITEM_RE = re.compile(r"^（[一二三四五六七八九十]+）")
CHAPTER_RE = re.compile(r"^第[一二三四五六七八九十]+章\s")
SECTION_RE = re.compile(r"^第[一二三四五六七八九十]+节\s")

_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """Convert 第五十六条-style numerals (below 1000) to int."""
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def parse_articles(path: Path) -> dict[int, dict]:
    """Return {number: {chapter, section, paragraphs: [{text, items}]}} from a reference file."""
    articles: dict[int, dict] = {}
    chapter = section = None
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            current = None if not line else current
            continue
        if CHAPTER_RE.match(line):
            chapter, section, current = line, None, None
            continue
        if SECTION_RE.match(line):
            section, current = line, None
            continue
        match = ARTICLE_RE.match(line)
        if match:
            number = chinese_number(match.group(1)[1:-1])
            current = {"chapter": chapter, "section": section, "paragraphs": [{"text": match.group(2), "items": []}]}
            articles[number] = current
        elif current is not None:
            if ITEM_RE.match(line):
                current["paragraphs"][-1]["items"].append(line)
            else:
                current["paragraphs"].append({"text": line, "items": []})
    return articles
