"""Guided self-assessments: the questionnaire model and the stateless engine (loading and validation: flow_loader)."""

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

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
    """One answer of a choice or yes_no question and the node it leads to."""

    id: str
    label: str
    next: str


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

    def edges(self) -> list[tuple[str, Any, str]]:
        """(yaml path, answer, next) for every branch: option ids, or range indexes for number questions."""
        base = f"questions.{self.id}"
        if self.type == "number":
            return [(f"{base}.ranges[{i}]", i, r.next) for i, r in enumerate(self.ranges)]
        return [(f"{base}.options[{i}]", o.id, o.next) for i, o in enumerate(self.options)]

    def follow(self, value) -> str:
        if self.type == "number":
            return next(r.next for r in self.ranges if r.max is None or value <= r.max)
        return next(o.next for o in self.options if o.id == value)

    def answer_label(self, value) -> str:
        if self.type != "number":
            return next(o.label for o in self.options if o.id == value)
        label = next(r.label for r in self.ranges if r.max is None or value <= r.max)
        shown = f"{format_number(value)} {self.unit or ''}".strip()
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
        """Follow normalised answers from the start; stop at the first unanswered question or an outcome."""
        node: Question | Outcome = self.questions[self.start]
        steps = []
        while isinstance(node, Question) and node.key in values:
            steps.append((node, values[node.key]))
            node = self.node(node.follow(values[node.key]))
        return steps, node

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
    """A finite Decimal from an int, a float or a numeric string (thousands commas allowed); None otherwise."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(str(value))
    elif isinstance(value, str) and NUMBER_RE.match(value.strip()):
        number = Decimal(value.strip().replace(",", ""))
    else:
        return None
    return number if number.is_finite() else None


def _jsonable(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _invalid(q: Question, value, expected_zh: str, expected_en: str) -> QuestionnaireError:
    return QuestionnaireError(f"问题 {q.key}（{q.text}）的回答 {value!r} 无效：{expected_zh}。/ "
                              f"Invalid answer {value!r} for question {q.key}: {expected_en}.")


def _normalise(q: Question, value):
    if q.type == "number":
        number = parse_number(value)
        if number is None or number < 0:
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


def _citation(corpus: Corpus, cite: Citation) -> dict:
    label = corpus.article(cite.source, cite.article).label(cite.paragraph)
    return {"source": cite.source, "article": cite.article, "paragraph": cite.paragraph, "label": label}


def assess(questionnaire: Questionnaire, answers: Mapping[str, Any] | None, corpus: Corpus) -> dict:
    """Given the answers so far, return the next question or the outcome, the path taken and what was ignored."""
    values = normalise_answers(questionnaire, answers)
    steps, end = questionnaire.walk(values)
    on_path = {node.key: value for node, value in steps}
    result = {
        "questionnaire": questionnaire.id,
        "status": "complete" if isinstance(end, Outcome) else "need_more",
        "next": None,
        "outcome": None,
        "path": [{"question": node.key, "text": node.text, "answer": _jsonable(value),
                  "answer_label": node.answer_label(value),
                  "cites": [_citation(corpus, c)["label"] for c in node.cites]} for node, value in steps],
        "law_version": questionnaire.law_version,
        "corpus_version": corpus.version,
        "ignored": [key for key in questionnaire.keys if key in values and key not in on_path],
    }
    if isinstance(end, Question):
        result["next"] = {"id": end.key, "text": end.text, "type": end.type,
                          "options": [{"id": o.id, "label": o.label} for o in end.options], "why": end.why}
        if end.unit:
            result["next"]["unit"] = end.unit
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
