"""Chinese word segmentation with jieba and the domain user dictionary, shared by index and queries."""

import logging
import re
import threading
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

# Function words and question particles carry no topic; keeping them lets BM25 match on "吗" and "的".
STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 嘛 哦 么 啥 咋 么样 怎么 怎么样 怎样 如何 什么 为什么 哪些 哪个 多少 是否 是不是 能不能 可不可以 "
    "要不要 需不需要 有没有 会不会 我 我们 你 你们 他 她 它 他们 咱 自己 人家 这 那 这个 那个 这些 那些 这样 那样 就 都 也 还 "
    "又 再 才 很 太 挺 比较 非常 一个 一下 一些 一点 有点 在 是 有 和 与 及 或 或者 等 等等 被 把 给 对 向 从 到 于 以 为 "
    "让 由 而 且 但 但是 如果 要是 的话 因为 所以 然后 可以 可能 应该 需要 要 想 能 会 得 地 着 过 个 请问 问 一下子 现在 "
    "之前 以后 吗？ 呗 哈 嗯 额 诶 哎 喔 哇 吧？ 不 没 没有 不是 不用 上 下 里 中 内 后 前 时 时候 情况 问题 一般 相关 "
    "有关 规定 依法 应当 或者 以及 其 该 之 者".split()
)
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


class Segmenter:
    """A private jieba tokenizer (not the global one), so reloading a new user dictionary is isolated."""

    def __init__(self, userdict: Path | None = None):
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._tokenizer.initialize()
        if userdict and Path(userdict).exists():
            self._tokenizer.load_userdict(str(userdict))

    def words(self, text: str) -> list[str]:
        """Search-mode words (long words plus their sub-words), without punctuation or stopwords."""
        with self._lock:  # jieba's tokenizer keeps lazy state and is not documented as thread-safe
            raw = self._tokenizer.lcut_for_search(text.lower())
        return [w for w in (t.strip() for t in raw) if w and w not in STOPWORDS and not _PUNCT.match(w)]

    def tokens(self, text: str) -> list[str]:
        """Dictionary words only (no HMM guessing of new words), as typed: where a typo breaks a word apart."""
        with self._lock:
            return self._tokenizer.lcut(text, HMM=False)

    def is_word(self, text: str) -> bool:
        """Whether jieba's dictionary or the user dictionary holds this word."""
        return self.frequency(text) > 0

    def frequency(self, text: str) -> int:
        """jieba's count for a word (0 for unknown words and for prefixes it keeps as 0)."""
        return self._tokenizer.FREQ.get(text) or 0

    def add_word(self, word: str) -> None:
        with self._lock:
            self._tokenizer.add_word(word)
