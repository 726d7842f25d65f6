"""Guided self-assessments: the questionnaire model and the stateless engine (loading and validation: flow_loader)."""

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from assistant.amounts import MAX_CHARS, Amount, parse_amount
from assistant.corpus import Citation, Corpus
from assistant.errors import QuestionnaireError, UnknownQuestionnaire

FOLDER = "questionnaires"
TYPES = ("choice", "yes_no", "number")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER_RE = re.compile(r"^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
YES_NO = {"yes": "yes", "true": "yes", "是": "yes", "no": "no", "false": "no", "否": "no"}
YES_NO_LABELS = {"yes": "是", "no": "否"}
MAX_PATHS = 5000


@dataclass(frozen=True)
class Option:
    """One answer of a choice or yes_no question, the node it leads to, and words that state it in a chat."""

    id: str
    label: str
    next: str
    cues: tuple[str, ...] = ()
    cites: tuple[Citation, ...] = ()  # the provision this answer rests on (便民劳务 → measures:8:2), if narrower


@dataclass(frozen=True)
class Caution:
    """Words that make an answer uncertain (食品 → a licence may be needed): the question is asked, with `text`."""

    cues: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Range:
    """A number bin: values above the previous bin's max and up to `max` (inclusive) lead to `next`."""

    max: Decimal | None
    next: str
    label: str | None = None


@dataclass(frozen=True)
class Question:
    """A question node; `key` is the answer key callers send (several nodes may ask the same key in other words)."""

    id: str
    key: str
    text: str
    type: str
    why: str
    cites: tuple[Citation, ...]
    options: tuple[Option, ...] = ()
    ranges: tuple[Range, ...] = ()
    unit: str | None = None
    caution: Caution | None = None

    @property
    def money(self) -> bool:
        """A number question about yuan: answers may be written as people say amounts (12万, 十万多)."""
        return self.type == "number" and self.unit == "元"

    def branches(self, value) -> list[str]:
        """The nodes an answer can lead to: one, except for an amount that straddles a range boundary."""
        if self.type != "number" or not isinstance(value, Amount):
            return [self.follow(value)]
        out, low = [], None
        for r in self.ranges:
            if value.overlaps(low, r.max):
                out.append(r.next)
            low = r.max
        return out

    def range_labels(self, value: Amount) -> list[str]:
        out, low = [], None
        for r in self.ranges:
            if value.overlaps(low, r.max):
                out.append(r.label or (f"不超过{format_number(r.max)}" if r.max is not None else "更多"))
            low = r.max
        return out

    def edges(self) -> list[tuple[str, Any, str]]:
        """(yaml path, answer, next) for every branch: option ids, or range indexes for number questions."""
        base = f"questions.{self.id}"
        if self.type == "number":
            return [(f"{base}.ranges[{i}]", i, r.next) for i, r in enumerate(self.ranges)]
        return [(f"{base}.options[{i}]", o.id, o.next) for i, o in enumerate(self.options)]

    def follow(self, value) -> str:
        if self.type == "number":
            if isinstance(value, Amount):
                return self.branches(value)[0]
            return next(r.next for r in self.ranges if r.max is None or value <= r.max)
        return next(o.next for o in self.options if o.id == value)

    def answer_label(self, value) -> str:
        if self.type != "number":
            return next(o.label for o in self.options if o.id == value)
        if isinstance(value, Amount):
            labels = self.range_labels(value)
            return f"{value.describe()}（{labels[0]}）" if len(labels) == 1 and labels[0] else value.describe()
        label = next(r.label for r in self.ranges if r.max is None or value <= r.max)
        shown = f"{format_number(value)} {self.unit or ''}".strip()
        if self.money:
            shown = Amount.exact(value).describe()
        return f"{shown}（{label}）" if label else shown


@dataclass(frozen=True)
class Outcome:
    """An end node: the same content for every path that reaches it, except a statement chosen by one answer."""

    id: str
    title: str
    explanation: str
    obligations: tuple[str, ...]
    cites: tuple[Citation, ...]
    self_declaration: str | None = None
    self_declaration_by: tuple[str, dict] | None = None

    def declaration(self, answers: Mapping[str, Any]) -> str | None:
        if self.self_declaration_by:
            key, table = self.self_declaration_by
            return table.get(answers.get(key))
        return self.self_declaration


@dataclass(frozen=True)
class Example:
    """A row of the `examples` table: these answers must reach this outcome (and statement)."""

    answers: dict
    outcome: str
    self_declaration: str | None = None


@dataclass
class Questionnaire:
    """A validated questionnaire; walk it with `assess`."""

    id: str
    title: str
    description: str | None
    law_version: str
    start: str
    questions: dict[str, Question]
    outcomes: dict[str, Outcome]
    examples: list[Example]
    file: str
    suggest_for: tuple[Citation, ...] = ()  # articles whose questions this questionnaire decides (chat → assess)
    topic_cues: tuple[str, ...] = ()        # words that put a chat question on this questionnaire's subject

    @property
    def keys(self) -> dict[str, Question]:
        """Answer key → the node named after it, else the first that asks it (nodes sharing a key share answers)."""
        out: dict[str, Question] = {}
        for q in self.questions.values():
            if q.key not in out or q.id == q.key:
                out[q.key] = q
        return out

    def node(self, node_id: str) -> "Question | Outcome":
        return self.questions.get(node_id) or self.outcomes[node_id]

    def walk(self, values: Mapping[str, Any]) -> tuple[list[tuple[Question, Any]], "Question | Outcome"]:
        """Follow normalised answers from the start; stop at the first unanswered question (or one whose amount
        straddles a range boundary) or at an outcome."""
        node: Question | Outcome = self.questions[self.start]
        steps = []
        while isinstance(node, Question) and node.key in values:
            branches = node.branches(values[node.key])
            if len(branches) != 1:
                break
            steps.append((node, values[node.key]))
            node = self.node(branches[0])
        return steps, node

    def reachable(self, node: "Question | Outcome", values: Mapping[str, Any]):
        """Outcomes still reachable from `node` given the answers, the answered questions met on the way and the
        unanswered ones: when one outcome remains, the questions left cannot change the result."""
        outcomes: list[str] = []
        used: dict[str, tuple[Question, Any]] = {}
        open_keys: list[str] = []
        seen: set[str] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if current.id in seen:
                continue
            seen.add(current.id)
            if isinstance(current, Outcome):
                if current.id not in outcomes:
                    outcomes.append(current.id)
                continue
            if current.key in values:
                targets = current.branches(values[current.key])
                if len(targets) == 1:
                    used.setdefault(current.key, (current, values[current.key]))
            else:
                targets = [target for _, _, target in current.edges()]
                if current.key not in open_keys:
                    open_keys.append(current.key)
            stack.extend(self.node(target) for target in reversed(targets))
        return outcomes, list(used.values()), open_keys

    def paths(self) -> list[tuple[list[tuple[Question, Any]], Outcome]]:
        """Every route from the start to an outcome as [(question, option id or range index)], outcome."""
        out, stack = [], [(self.start, [])]
        while stack and len(out) < MAX_PATHS:
            node_id, steps = stack.pop()
            node = self.node(node_id)
            if isinstance(node, Outcome):
                out.append((steps, node))
                continue
            stack.extend((target, steps + [(node, answer)]) for _, answer, target in reversed(node.edges()))
        return out

    def progress(self, answers: Mapping[str, Any] | None) -> tuple[int, int]:
        """(questions answered on the path, most questions this run can take), for a progress indicator."""
        steps, end = self.walk(normalise_answers(self, answers))
        memo: dict[str, int] = {}

        def longest(node) -> int:
            if node.id not in memo:
                memo[node.id] = 0 if isinstance(node, Outcome) else 1 + max(
                    longest(self.node(target)) for _, _, target in node.edges())
            return memo[node.id]
        return len(steps), len(steps) + longest(end)


def get_questionnaire(questionnaires: Mapping[str, Questionnaire], questionnaire_id: str) -> Questionnaire:
    """The questionnaire with this id, or UnknownQuestionnaire (404) listing the ones that exist."""
    if questionnaire_id not in questionnaires:
        known = ", ".join(sorted(questionnaires))
        raise UnknownQuestionnaire(f"没有问卷 {questionnaire_id!r}；现有问卷：{known}。/ "
                                 f"Unknown questionnaire {questionnaire_id!r}; known: {known}.")
    return questionnaires[questionnaire_id]


# ---------------------------------------------------------------- the engine

def format_number(value: Decimal) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def parse_number(value) -> Decimal | None:
    """A finite Decimal from an int, a float or a numeric string (thousands commas allowed); None otherwise.

    Inputs are bounded first: a 5,000-digit number is not an answer, and converting it would hit Python's
    int-string limit."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if value.bit_length() > 160:
            return None
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str) and len(value) <= MAX_CHARS and NUMBER_RE.match(value.strip()):
        number = Decimal(value.strip().replace(",", ""))
    else:
        return None
    return number if number.is_finite() else None


def _jsonable(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Amount):
        return value.canonical()
    return value


def _shown(value) -> str:
    if isinstance(value, int) and value.bit_length() > 160:
        return "（过长的数字）"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:40] + "…"


def _invalid(q: Question, value, expected_zh: str, expected_en: str) -> QuestionnaireError:
    return QuestionnaireError(f"“{q.text}”的回答“{_shown(value)}”无效：{expected_zh}。/ "
                              f"Invalid answer {_shown(value)!r} for question {q.key}: {expected_en}.")


def _normalise(q: Question, value):
    if q.type == "number":
        number = parse_number(value)
        if number is None and q.money and isinstance(value, (str, Amount)):
            amount = value if isinstance(value, Amount) else parse_amount(value)
            if amount is not None and (amount.low is None or amount.low >= 0):
                number = amount.value if amount.value is not None else amount
        if number is None or (isinstance(number, Decimal) and number < 0):
            if q.money:
                raise _invalid(q, value, "请填写不小于 0 的金额（元），例如 60000、6万、12.5万 或 “超过10万”",
                               "expected a non-negative number of yuan, e.g. 60000, 6万, 12.5万 or 超过10万")
            unit = f"（单位：{q.unit}）" if q.unit else ""
            raise _invalid(q, value, f"请填写不小于 0 的数字{unit}，例如 60000",
                           f"expected a non-negative number{f' in {q.unit}' if q.unit else ''}, e.g. 60000")
        return number
    text = str(value).strip().lower() if isinstance(value, (str, bool)) else None
    if q.type == "yes_no" and text in YES_NO:
        return YES_NO[text]
    if text is not None and any(o.id == text for o in q.options):
        return text
    zh = "、".join(f"{o.id}（{o.label}）" for o in q.options)
    extra_en = " (true/false and 是/否 are accepted too)" if q.type == "yes_no" else ""
    raise _invalid(q, value, f"可选的回答：{zh}", f"valid options: {', '.join(o.id for o in q.options)}{extra_en}")


def normalise_answers(questionnaire: Questionnaire, answers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check every answer (on the path or not) and return canonical values: option ids or Decimals.

    Unknown keys and invalid values are errors wherever they are, so a prefilled or stale answer can never
    lie in wait for an earlier answer to change; None and empty strings mean "not answered".
    """
    if answers is None:
        return {}
    if not isinstance(answers, Mapping):
        raise QuestionnaireError(f"回答必须是“问题: 回答”的映射 / answers must be a mapping of question: answer, "
                                 f"got {type(answers).__name__}")
    keys = questionnaire.keys
    values = {}
    for key, value in answers.items():
        if key not in keys:
            close = difflib.get_close_matches(str(key), keys, n=1)
            hint = f"（是否指 {close[0]}？）/ did you mean {close[0]!r}? " if close else ""
            raise QuestionnaireError(
                f"问卷 {questionnaire.id} 没有问题 {key!r}；可回答的问题：{'、'.join(keys)}。{hint}/ "
                f"Unknown question {key!r} in questionnaire {questionnaire.id}; known questions: {', '.join(keys)}.")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        values[key] = _normalise(keys[key], value)
    return values


def read_answer(questionnaire: Questionnaire, key: str, value) -> dict:
    """How one typed answer is understood before it is sent ("12万" → 按 120,000 元计算（超过10万元）), or the same
    QuestionnaireError `assess` would raise for it."""
    question = questionnaire.keys.get(key)
    if question is None:
        normalise_answers(questionnaire, {key: value})  # raises the unknown-question error with the known keys
    value = _normalise(question, value)
    out = {"question": key, "answer": _jsonable(value), "label": question.answer_label(value)}
    if question.money:
        amount = value if isinstance(value, Amount) else Amount.exact(value)
        labels = question.range_labels(amount)
        out["reading"] = f"按 {amount.describe()}计算" + (f"（{labels[0]}）" if len(labels) == 1 else "")
        if len(labels) > 1:
            out["unclear"] = (f"无法判断属于{'还是'.join(f'“{label}”' for label in labels)}，请填写更准确的金额。")
    return out


def _citation(corpus: Corpus, cite: Citation) -> dict:
    label = corpus.article(cite.source, cite.article).label(cite.paragraph)
    return {"source": cite.source, "article": cite.article, "paragraph": cite.paragraph, "label": label}


def _step(node: Question, value, corpus: Corpus) -> dict:
    return {"question": node.key, "text": node.text, "answer": _jsonable(value), "answer_label": node.answer_label(value),
            "cites": [_citation(corpus, c)["label"] for c in node.cites]}


def assess(questionnaire: Questionnaire, answers: Mapping[str, Any] | None, corpus: Corpus) -> dict:
    """Given the answers so far, return the next question or the outcome, the path taken and what was ignored.

    Decides early: when every route still open from the next question ends in the same outcome (e.g. over 10万元
    and other goods → register, whatever the licence answer), the result is complete; the questions that could
    not change it are listed in `skipped`.
    """
    values = normalise_answers(questionnaire, answers)
    steps, end = questionnaire.walk(values)
    skipped: list[str] = []
    if isinstance(end, Question):
        outcomes, used, open_keys = questionnaire.reachable(end, values)
        if len(outcomes) == 1:
            outcome = questionnaire.outcomes[outcomes[0]]
            known = {node.key: value for node, value in [*steps, *used]}
            by = outcome.self_declaration_by
            if by is None or by[0] in known:
                steps, end, skipped = [*steps, *used], outcome, open_keys
    on_path = {node.key: value for node, value in steps}
    result = {
        "questionnaire": questionnaire.id,
        "status": "complete" if isinstance(end, Outcome) else "need_more",
        "next": None,
        "outcome": None,
        "path": [_step(node, value, corpus) for node, value in steps],
        "law_version": questionnaire.law_version,
        "corpus_version": corpus.version,
        "ignored": [key for key in questionnaire.keys if key in values and key not in on_path],
        "skipped": skipped,
    }
    if isinstance(end, Question):
        result["next"] = {"id": end.key, "text": end.text, "type": end.type,
                          "options": [{"id": o.id, "label": o.label} for o in end.options], "why": end.why}
        if end.unit:
            result["next"]["unit"] = end.unit
        if end.key in values:  # an amount on both sides of a boundary: ask for a closer figure
            value = values[end.key]
            result["ignored"].remove(end.key)
            result["next"]["unclear"] = (f"“{value.words or value.describe()}”（{value.describe()}）无法判断属于"
                                         f"{'还是'.join(f'“{label}”' for label in end.range_labels(value))}，"
                                         "请填写更准确的金额。")
    else:
        result["outcome"] = {"id": end.id, "title": end.title, "explanation": end.explanation,
                             "obligations": list(end.obligations),
                             "citations": [_citation(corpus, c) for c in end.cites]}
        statement = end.declaration(on_path)
        if statement:
            result["outcome"]["self_declaration"] = statement
    return result


def verification_id(result: Mapping[str, Any]) -> str:
    """First 16 hex digits of sha256 over questionnaire id, the normalised answers on the path and both versions."""
    payload = {"questionnaire": result["questionnaire"],
               "answers": [[step["question"], step["answer"]] for step in result["path"]],
               "law_version": result["law_version"], "corpus_version": result["corpus_version"]}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
