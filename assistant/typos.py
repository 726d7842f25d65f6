"""Homophone typos: a word of the assistant's vocabulary typed with a wrong character of the same sound (搭受 → 搭售,
营业执找 → 营业执照), or typed in pinyin (gongshi → 公示).

Pinyin input methods make these the commonest typos in Chinese questions, and a word typed wrong is invisible to the
lexical signal and blurs the dense one. The vocabulary is the corpus's own (the legal terms of synonyms.yaml, their
everyday words and the segmenter's user dictionary), so a correction can only ever produce a word the corpus uses.
Readings come from pypinyin (a maintained library with phrase tables and every reading of polyphonic characters).

A correction is made only where it is almost surely a typo: the typed characters sound exactly like the word
(tones ignored), differ from it in one character (two in words of four or more), and are not themselves a word of
jieba's dictionary or the user dictionary: 视频 is never "corrected" to 食品, nor 公式 to 公示.
"""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from assistant.segment import Segmenter

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_RUN = re.compile(r"(?<![A-Za-z])[a-z]{4,}(?![A-Za-z])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
MAX_LEN = 8
MAX_SOUNDS = 64  # readings combined per window (polyphonic characters multiply them)


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (ü written v), from pypinyin's table of characters."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    return frozenset(to_normal(p).replace("ü", "v") for v in pinyin_dict.values() for p in v.split(","))


def _spells(word: str) -> bool:
    """Whether a Latin word is a run of pinyin syllables (yingye, zhizhao), which English words mostly are not."""
    syllables, ends = _syllables(), {0}
    for end in range(1, len(word) + 1):
        if any(start in ends and word[start:end] in syllables for start in range(max(0, end - 6), end)):
            ends.add(end)
    return len(word) in ends


def typed_in_pinyin(text: str) -> bool:
    """A question typed in pinyin without characters ("wo yao ban yingye zhizhao ma"): it cannot be searched (no
    pinyin-to-character conversion is attempted), and it is not English either."""
    words = re.findall(r"[A-Za-z]+", text)
    return not _HAN.search(text) and len(words) >= 3 and all(_spells(w.lower()) for w in words)


@lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    """Every toneless reading of one character (行 → hang, xing)."""
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


class Speller:
    """Built once per corpus: the vocabulary indexed by its toneless pinyin."""

    def __init__(self, words, segmenter: Segmenter):
        self.segmenter = segmenter
        self.by_sound: dict[tuple[str, ...], list[str]] = {}
        self.by_latin: dict[str, str] = {}
        for word in sorted({w for w in words if 2 <= len(w) <= MAX_LEN and _HAN_RUN.fullmatch(w)}):
            sound = tuple(lazy_pinyin(word))
            self.by_sound.setdefault(sound, []).append(word)
            latin = "".join(sound)
            # Pinyin typed for a word: only where one word of the vocabulary has that spelling.
            self.by_latin[latin] = word if latin not in self.by_latin else ""
        for same in self.by_sound.values():
            # A dictionary word before a typo that synonyms.yaml lists to match it (营业只照 → 营业执照, not 营业执找).
            same.sort(key=lambda w: -segmenter.frequency(w))
        self.prefixes = {sound[:i] for sound in self.by_sound for i in range(1, len(sound) + 1)}
        _syllables()  # the pinyin table is read at start-up, not by the first question typed in pinyin

    def correct(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with its homophone typos replaced, and the (typed, corrected) pairs."""
        fixes: list[tuple[str, str]] = []
        out = _HAN_RUN.sub(lambda m: self._han(m.group(), fixes), text)
        if _HAN.search(out):  # pinyin inside a Chinese question; an English question keeps its words
            out = _LATIN_RUN.sub(lambda m: self._latin(m.group(), fixes), out)
        return out, fixes

    def _han(self, run: str, fixes: list) -> str:
        # Only whole jieba tokens are replaced, and only runs holding a single-character token: a typo breaks its
        # word into single characters (搭/受), while "是行" in 是/行不通 ends inside a word and is no typo of 施行.
        tokens = self.segmenter.tokens(run)
        starts = [0]
        for token in tokens:
            starts.append(starts[-1] + len(token))
        out, k = [], 0
        while k < len(tokens):
            for end in range(min(len(tokens), k + MAX_LEN), k, -1):
                window = run[starts[k]:starts[end]]
                if len(window) < 2 or len(window) > MAX_LEN or all(len(t) > 1 for t in tokens[k:end]) \
                        or self._bound(run, starts[k], starts[end]):
                    continue
                word = self._word_for(window)
                if word:
                    fixes.append((window, word))
                    out.append(word)
                    k = end
                    break
            else:
                out.append(tokens[k])
                k += 1
        return "".join(out)

    def _bound(self, run: str, start: int, end: int) -> bool:
        """Whether an end character of the window forms a word with its neighbour outside ("群里发" is 群里 + 发,
        not a typo of 理发)."""
        return bool(start and self.segmenter.is_word(run[start - 1:start + 1])) or \
            bool(end < len(run) and self.segmenter.is_word(run[end - 1:end + 1]))

    def _word_for(self, window: str) -> str | None:
        if self.segmenter.is_word(window):  # typed a real word (or the vocabulary word itself): nothing to correct
            return None
        sounds = [()]
        for ch in window:  # only readings that go on spelling some word of the vocabulary
            sounds = [s + (r,) for s in sounds for r in _readings(ch) if s + (r,) in self.prefixes][:MAX_SOUNDS]
            if not sounds:
                return None
        for sound in sounds:
            for word in self.by_sound.get(sound, ()):
                differ = sum(a != b for a, b in zip(window, word))
                # In a two-character word only the second character is taken as mistyped: a different first one is
                # too often the end of the word before (群里发 is not 理发).
                if 0 < differ <= (2 if len(word) >= 4 else 1) and (len(word) > 2 or window[0] == word[0]):
                    return word
        return None

    def _latin(self, run: str, fixes: list) -> str:
        word = self.by_latin.get(run)
        if word:
            fixes.append((run, word))
            return word
        return run


def vocabulary(corpus) -> set[str]:
    """The words a typo may be corrected to: legal terms, their everyday words and the user dictionary."""
    words = {*corpus.synonyms, *(w for ws in corpus.synonyms.values() for w in ws)}
    path = corpus.userdict_path
    if path.exists():
        words |= {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    return words
