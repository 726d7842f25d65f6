"""Load and validate the YAML knowledge base in `corpus/`; every problem is reported at once with file and line."""

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CorpusError, NotFound, Problem

LAW_FILES = {"measures": "measures.yaml", "ecommerce_law": "ecommerce_law.yaml"}
FAQ_FILE, QA_FILE, OUT_OF_SCOPE_FILE = "faq.yaml", "official_qa.yaml", "out_of_scope.yaml"
SYNONYMS_FILE, USERDICT_FILE = "synonyms.yaml", "userdict.txt"
FAQ_SCOPES = ("covered", "partial")
AUDIENCES = {"merchant", "platform", "consumer"}
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CITE_RE = re.compile(r"^(?P<source>[a-z_]+):(?P<article>\d+)(?::(?P<paragraph>\d+))?$")
_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 18 → 十八, 56 → 五十六 (the numbering used in article and paragraph labels)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return _DIGITS[n // 100] + "百" + ("零" + _DIGITS[n % 100] if 0 < n % 100 < 10 else chinese_numeral(n % 100) if n % 100 else "")


@dataclass(frozen=True)
class Citation:
    """A pointer to an article, optionally one paragraph (款): `measures:8:3`."""

    source: str
    article: int
    paragraph: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Citation":
        match = CITE_RE.match(str(text).strip())
        if not match:
            raise ValueError(f"bad citation {text!r}: expected 'source:article' or 'source:article:paragraph'")
        paragraph = match.group("paragraph")
        return cls(match.group("source"), int(match.group("article")), int(paragraph) if paragraph else None)

    def __str__(self) -> str:
        return f"{self.source}:{self.article}" + (f":{self.paragraph}" if self.paragraph else "")


@dataclass
class Paragraph:
    """One 款, with its 项 items kept verbatim (they begin with （一）, （二） …)."""

    text: str
    items: list[str] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        return "\n".join([self.text, *self.items])


@dataclass
class Article:
    """One article of a law, split into paragraphs so answers can cite 第八条第三款."""

    source: str
    law_title: str
    number: int
    chapter: str | None
    section: str | None
    paragraphs: list[Paragraph]
    amendment: dict | None = None

    @property
    def text(self) -> str:
        return "\n".join(p.full_text for p in self.paragraphs)

    @property
    def heading(self) -> str:
        return f"第{chinese_numeral(self.number)}条"

    def label(self, paragraph: int | None = None) -> str:
        suffix = f"第{chinese_numeral(paragraph)}款" if paragraph else ""
        return f"《{self.law_title}》{self.heading}{suffix}"

    def cited_text(self, paragraph: int | None = None) -> str:
        return self.paragraphs[paragraph - 1].full_text if paragraph else self.text


@dataclass
class Law:
    source: str
    title: str
    law_version: str
    articles: dict[int, Article]


@dataclass
class FaqItem:
    """A curated question with everyday paraphrases and a short answer citing the law."""

    id: str
    question: str
    paraphrases: list[str]
    answer: str
    cites: list[Citation]
    audience: str
    # Words one of which a question must contain for this answer to be about it ("两个", "多个" for the item on
    # several shops); when absent, the selector derives them from the phrasings.
    subject: tuple[str, ...] = ()
    # "partial" for an answer that says the Measures touch the matter without settling it (好评返现: whether it is
    # lawful depends on the facts; 自制食品: which licence is for the food safety rules): the answer keeps that scope.
    scope: str = "covered"


@dataclass
class QaItem:
    """One question of the SAMR press Q&A with its verbatim answer paragraphs."""

    id: str
    question: str
    answer: list[str]
    cites: list[Citation]


@dataclass
class OutOfScopeTopic:
    """A topic people ask about that the Measures do not settle, with where to turn instead.

    With `related` provisions the Measures touch the topic without deciding it (scope "partial": the answer says
    what they don't decide and where to ask, then quotes the related provision); without, it is not covered."""

    id: str
    topic: str
    referral: str
    examples: list[str]
    related: list[Citation] = field(default_factory=list)
    # Patterns of what a question asks when it asks for this topic's subject (a registration procedure, a tax
    # amount, a platform's own rule): such a question is this topic's whatever covered article scores first.
    asks: tuple[re.Pattern, ...] = ()

    def asked_by(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.asks)


@dataclass
class Corpus:
    """The validated knowledge base, plus the content hash that stamps indexes and answers."""

    root: Path
    laws: dict[str, Law]
    faq: list[FaqItem]
    qa: list[QaItem]
    out_of_scope: list[OutOfScopeTopic]
    synonyms: dict[str, list[str]]
    version: str

    @property
    def userdict_path(self) -> Path:
        return self.root / USERDICT_FILE

    def article(self, source: str, number: int) -> Article:
        law = self.laws.get(source)
        if law is None or number not in law.articles:
            raise NotFound(f"unknown article {source}:{number}")
        return law.articles[number]

    def has(self, cite: Citation) -> bool:
        law = self.laws.get(cite.source)
        if law is None or cite.article not in law.articles:
            return False
        return cite.paragraph is None or 1 <= cite.paragraph <= len(law.articles[cite.article].paragraphs)

    @cached_property
    def penalty_articles(self) -> frozenset[int]:
        """Measures articles that punish breaches of the Measures ("违反本办法第十六条…", "违反本办法规定，构成犯罪的"):
        a unit citing a duty and its penalty rests on the duty unless the question asks for the penalty itself."""
        law = self.laws.get("measures")
        return frozenset(n for n, article in (law.articles.items() if law else []) if "违反本办法" in article.text)

    def topics_asked(self, text: str) -> list[OutOfScopeTopic]:
        """The out-of-scope topics whose `asks` patterns the question matches."""
        return [topic for topic in self.out_of_scope if topic.asked_by(text)]

    @cached_property
    def _units(self) -> dict[str, "FaqItem | QaItem | OutOfScopeTopic"]:
        units = {f"faq:{i.id}": i for i in self.faq}
        units.update({f"qa:{i.id}": i for i in self.qa})
        units.update({f"oos:{t.id}": t for t in self.out_of_scope})
        return units

    def unit(self, unit_id: str) -> "FaqItem | QaItem | OutOfScopeTopic":
        """The FAQ item, Q&A item or out-of-scope topic behind a retrieval unit id (`faq:reg-small-turnover`)."""
        return self._units[unit_id]

    @cached_property
    def _explaining(self) -> dict[tuple[str, int], list]:
        out: dict[tuple[str, int], list] = {}
        for item in [*self.faq, *self.qa]:
            for article in dict.fromkeys((c.source, c.article) for c in item.cites):
                out.setdefault(article, []).append(item)
        return out

    def faq_for(self, source: str, number: int) -> list[FaqItem]:
        """FAQ items citing an article: its plain-language explanations."""
        return [i for i in self._explaining.get((source, number), []) if isinstance(i, FaqItem)]

    def qa_for(self, source: str, number: int) -> list[QaItem]:
        """Official Q&A items citing an article."""
        return [i for i in self._explaining.get((source, number), []) if isinstance(i, QaItem)]

    def check_citation(self, text: str) -> Citation:
        """Parse a citation string and verify it points into the corpus (raises ValueError otherwise)."""
        cite = Citation.parse(text)
        if not self.has(cite):
            raise ValueError(f"unknown article {text!r}")
        return cite


def corpus_version(root: Path) -> str:
    """Content hash of every file under corpus/, so any edit changes the version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


class YamlFile:
    """A parsed YAML file that remembers the line of every node, so problems point at the right line."""

    def __init__(self, root: Path, name: str, problems: list[Problem]):
        self.label = f"corpus/{name}" if root.name == "corpus" else str(root / name)
        self.problems = problems
        self.lines: dict[str, int] = {}
        self.data: Any = None
        path = root / name
        if not path.exists():
            self.add("", "file is missing")
            return
        text = read_text(path, self.label, problems)
        if text is None:
            return
        try:
            if self._has_aliases(text):
                return
            node = yaml.compose(text)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            problems.append(Problem(self.label, "", f"YAML syntax error: {problem}", mark.line + 1 if mark else None))
            self.data = None
            return
        if node is None:
            self.empty = True
        else:
            self._walk(node, "")

    empty = False  # the file holds nothing but comments or white space

    def _has_aliases(self, text: str) -> bool:
        """Anchors and aliases (&a, *a) are refused before anything is built from them: a few hundred bytes of
        nested aliases expand to gigabytes (a "billion laughs" file), and staff files never need them."""
        for event in yaml.parse(text):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                self.problems.append(Problem(self.label, "", "YAML anchors and aliases (&name, *name) are not "
                                             "allowed in corpus files; write the text out", event.start_mark.line + 1))
                return True
        return False

    def _walk(self, node, path: str) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                if key.value in seen:
                    self.problems.append(Problem(self.label, child, "duplicate key", key.start_mark.line + 1))
                seen.add(key.value)
                self._walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                self._walk(value, f"{path}[{i}]")

    def add(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        probe = path
        while line is None and probe:
            probe = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe) if re.search(r"(\.[^.\[]+|\[\d+\])$", probe) else ""
            line = self.lines.get(probe)
        self.problems.append(Problem(self.label, path, message, line))

    def text(self, mapping: Any, path: str, key: str, required: bool = True) -> str | None:
        """A non-empty string field, or a recorded problem."""
        value = mapping.get(key) if isinstance(mapping, dict) else None
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.add(where, "missing required field")
            return None
        if not isinstance(value, str):
            self.add(where, f"expected text, got {type(value).__name__}")
            return None
        if not value.strip():
            self.add(where, "empty text")
            return None
        return value.strip()

    def seq(self, mapping: Any, path: str, key: str, minimum: int = 1) -> list:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        where = f"{path}.{key}" if path else key
        if not isinstance(value, list):
            self.add(where, "missing required list" if value is None else f"expected a list, got {type(value).__name__}")
            return []
        if len(value) < minimum:
            self.add(where, f"expected at least {minimum} entr{'y' if minimum == 1 else 'ies'}, got {len(value)}")
        return value

    def texts(self, mapping: Any, path: str, key: str, minimum: int = 1) -> list[str]:
        out = []
        for i, value in enumerate(self.seq(mapping, path, key, minimum)):
            if not isinstance(value, str) or not value.strip():
                self.add(f"{path}.{key}[{i}]" if path else f"{key}[{i}]", "expected non-empty text")
            else:
                out.append(value.strip())
        return out


def _patterns(f: YamlFile, mapping: dict, path: str, key: str) -> tuple[re.Pattern, ...]:
    """Regular expressions a staff editor wrote (case-insensitive); a broken one is a problem at its line."""
    out = []
    for i, text in enumerate(f.seq(mapping, path, key)):
        where = f"{path}.{key}[{i}]"
        if not isinstance(text, str) or len(text.strip()) < 2:
            f.add(where, "expected a pattern of at least two characters")
            continue
        try:
            out.append(re.compile(text.strip(), re.IGNORECASE))
        except re.error as exc:
            f.add(where, f"not a valid regular expression: {exc}")
    return tuple(out)


MAX_FILE_BYTES = 5_000_000  # a corpus file larger than this is a mistake (or an attack), not a knowledge base


def read_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    """Read a corpus file as strict UTF-8 without control characters, ending with a newline."""
    if not path.is_file():
        problems.append(Problem(label, "", "is not a regular file (a directory or a special file is in its place)"))
        return None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(Problem(label, "", f"is larger than {MAX_FILE_BYTES} bytes"))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(label, "", f"cannot be read: {exc.strerror or exc}"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(label, "", f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8", line))
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]", line):
            problems.append(Problem(label, "", "contains control or replacement characters", number))
    if text and not text.endswith("\n"):
        problems.append(Problem(label, "", "does not end with a newline: the file may have been cut off (truncated)",
                                text.count("\n") + 1))
    return text


def _load_law(root: Path, source: str, name: str, problems: list[Problem]) -> Law | None:
    f = YamlFile(root, name, problems)
    if not isinstance(f.data, dict):
        if f.data is not None or f.empty:
            f.add("", "expected a mapping with source, title and articles")
        return None
    title = f.text(f.data, "", "title") or source
    if f.data.get("source") != source:
        f.add("source", f"expected {source!r}")
    articles: dict[int, Article] = {}
    for i, entry in enumerate(f.seq(f.data, "", "articles")):
        path = f"articles[{i}]"
        number = entry.get("number") if isinstance(entry, dict) else None
        if not isinstance(number, int) or number < 1:
            f.add(f"{path}.number", "expected a positive article number")
            continue
        if number in articles:
            f.add(f"{path}.number", f"duplicate article {number}")
        paragraphs = []
        for j, para in enumerate(f.seq(entry, path, "paragraphs")):
            ppath = f"{path}.paragraphs[{j}]"
            text = f.text(para, ppath, "text") if isinstance(para, dict) else None
            if not isinstance(para, dict):
                f.add(ppath, "expected a mapping with text (and optional items)")
            if text:
                items = f.texts(para, ppath, "items", 0) if "items" in para else []
                paragraphs.append(Paragraph(text, items))
        amendment = entry.get("amendment")
        if amendment is not None and not (isinstance(amendment, dict) and isinstance(amendment.get("note"), str)):
            f.add(f"{path}.amendment", "expected a mapping with order, date, previous and note")
        articles[number] = Article(source, title, number, entry.get("chapter"), entry.get("section"), paragraphs, amendment)
    return Law(source, title, str(f.data.get("law_version", "")), articles)


def read_cites(f: YamlFile, entry: dict, path: str, laws: dict[str, Law], key: str = "cites") -> list[Citation]:
    """Parse a list of citation strings, reporting unknown sources, articles and paragraphs with their line."""
    out = []
    for k, raw in enumerate(f.seq(entry, path, key)):
        cpath = f"{path}.{key}[{k}]" if path else f"{key}[{k}]"
        try:
            cite = Citation.parse(raw)
        except ValueError as exc:
            f.add(cpath, str(exc))
            continue
        law = laws.get(cite.source)
        if law is None:
            f.add(cpath, f"unknown source {cite.source!r} (known: {', '.join(sorted(laws))})")
        elif cite.article not in law.articles:
            f.add(cpath, f"unknown article {str(Citation(cite.source, cite.article))!r}")
        elif cite.paragraph is not None and not 1 <= cite.paragraph <= len(law.articles[cite.article].paragraphs):
            f.add(cpath, f"unknown paragraph: article {cite.source}:{cite.article} has "
                         f"{len(law.articles[cite.article].paragraphs)} paragraph(s)")
        else:
            out.append(cite)
    return out


def _load_items(root: Path, name: str, problems: list[Problem], laws: dict[str, Law], seen: dict[str, str],
                minimum: int = 1):
    f = YamlFile(root, name, problems)
    entries = f.seq(f.data, "", "items", minimum) if isinstance(f.data, dict) else []
    if f.empty:
        f.add("", f"is empty (only comments or white space): expected 'items:' with at least {max(minimum, 1)} entries")
    elif f.data is not None and not isinstance(f.data, dict):
        f.add("", "expected a mapping with an 'items' list")
    for i, entry in enumerate(entries):
        path = f"items[{i}]"
        if not isinstance(entry, dict):
            f.add(path, "expected a mapping")
            continue
        item_id = f.text(entry, path, "id")
        if item_id and not ID_RE.match(item_id):
            f.add(f"{path}.id", f"id {item_id!r} must be lowercase kebab-case (a-z, 0-9, -)")
        elif item_id in seen:
            f.add(f"{path}.id", f"duplicate id {item_id!r} (also in {seen[item_id]})")
        elif item_id:
            seen[item_id] = f.label
        yield f, path, entry, item_id


def _load_synonyms(root: Path, problems: list[Problem]) -> dict[str, list[str]]:
    f = YamlFile(root, SYNONYMS_FILE, problems)
    if f.empty:
        f.add("", "is empty (only comments or white space): expected 'synonyms:' (use 'synonyms: {}' for none)")
    table = f.data.get("synonyms") if isinstance(f.data, dict) else None
    if not isinstance(table, dict):
        if f.data is not None:
            f.add("synonyms", "expected a mapping of legal term: [colloquial words]")
        return {}
    out = {}
    for term, words in table.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words) or not words:
            f.add(f"synonyms.{term}", "expected a non-empty list of words")
            continue
        out[str(term)] = [w.strip() for w in words]
    return out


def _check_userdict(root: Path, problems: list[Problem]) -> None:
    path, label = root / USERDICT_FILE, f"corpus/{USERDICT_FILE}"
    if not path.exists():
        problems.append(Problem(label, "", "file is missing"))
        return
    text = read_text(path, label, problems)
    if text is not None and not any(line.split() and not line.startswith("#") for line in text.splitlines()):
        problems.append(Problem(label, "", "has no words: the domain dictionary keeps legal terms such as 市场主体登记 "
                                           "in one piece when questions are segmented"))
    for number, line in enumerate((text or "").splitlines(), 1):
        parts = line.split()
        if parts and not (len(parts) == 1 or (parts[1].isdigit() and len(parts) <= 3)):
            problems.append(Problem(label, "", "expected 'word [frequency] [tag]'", number))


def load_corpus(root: str | Path) -> Corpus:
    """Load `corpus/`, raising CorpusError with every problem found if anything is invalid."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise CorpusError([Problem(str(root), "", "corpus folder does not exist")])
    laws = {}
    for source, name in LAW_FILES.items():
        law = _load_law(root, source, name, problems)
        if law:
            laws[source] = law
    seen: dict[str, str] = {}
    faq = []
    for f, path, entry, item_id in _load_items(root, FAQ_FILE, problems, laws, seen):
        question = f.text(entry, path, "question")
        paraphrases = f.texts(entry, path, "paraphrases", 2)
        answer = f.text(entry, path, "answer")
        audience = entry.get("audience")
        if audience not in AUDIENCES:
            f.add(f"{path}.audience", f"expected one of {', '.join(sorted(AUDIENCES))}, got {audience!r}")
        cites = read_cites(f, entry, path, laws)
        subject = tuple(f.texts(entry, path, "subject")) if "subject" in entry else ()
        scope = entry.get("scope", "covered")
        if scope not in FAQ_SCOPES:
            f.add(f"{path}.scope", f"expected one of {', '.join(FAQ_SCOPES)}, got {scope!r}")
        if item_id and question and answer:
            faq.append(FaqItem(item_id, question, paraphrases, answer, cites, audience, subject, scope))
    qa = []
    for f, path, entry, item_id in _load_items(root, QA_FILE, problems, laws, seen):
        question = f.text(entry, path, "question")
        answer = f.texts(entry, path, "answer")
        cites = read_cites(f, entry, path, laws)
        if item_id and question and answer:
            qa.append(QaItem(item_id, question, answer, cites))
    out_of_scope = []
    for f, path, entry, item_id in _load_items(root, OUT_OF_SCOPE_FILE, problems, laws, seen):
        topic = f.text(entry, path, "topic")
        referral = f.text(entry, path, "referral")
        examples = f.texts(entry, path, "examples", 2)
        related = read_cites(f, entry, path, laws, "related") if "related" in entry else []
        asks = _patterns(f, entry, path, "asks") if "asks" in entry else ()
        if item_id and topic and referral:
            out_of_scope.append(OutOfScopeTopic(item_id, topic, referral, examples, related, asks))
    synonyms = _load_synonyms(root, problems)
    _check_userdict(root, problems)
    if problems:
        raise CorpusError(problems)
    return Corpus(root, laws, faq, qa, out_of_scope, synonyms, corpus_version(root))
