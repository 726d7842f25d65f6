"""Load and validate questionnaire files (corpus/questionnaires/*.yaml): every problem at once, with file and line."""

import datetime
import difflib
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.corpus import Citation, Corpus, YamlFile, read_cites
from assistant.errors import CorpusError, Problem, QuestionnaireError
from assistant.flows import (FOLDER, ID_RE, MAX_PATHS, TYPES, YES_NO_LABELS, Caution, Example, Option, Outcome,
                             Question, Questionnaire, Range, format_number, normalise_answers, parse_number)

# Questionnaires the product relies on by id: chat decides registration questions with it, and the API documents it.
REQUIRED = {"registration": "the chat decides registration questions with it and the API contract names it"}
_NAMED = re.compile(r"问卷\s*[（(]?\s*([a-z]+(?:_[a-z]+)+)|[（(]([a-z]+(?:_[a-z]+)+)[）)]")

FIELDS = {
    "": {"id", "title", "description", "law_version", "start", "questions", "outcomes", "examples", "suggest_for",
         "topic_cues"},
    "question": {"key", "text", "type", "why", "cites", "options", "ranges", "unit", "caution"},
    "option": {"id", "label", "next", "cues", "cites"},
    "caution": {"cues", "text"},
    "range": {"max", "next", "label"},
    "outcome": {"title", "explanation", "obligations", "cites", "self_declaration", "self_declaration_by"},
    "example": {"answers", "outcome", "self_declaration", "note"},
}


def load_questionnaires(corpus: Corpus) -> dict[str, Questionnaire]:
    """Load and validate every corpus/questionnaires/*.yaml, raising CorpusError with all problems at once."""
    folder = Path(corpus.root) / FOLDER
    problems: list[Problem] = []
    if not folder.is_dir():
        raise CorpusError([Problem(f"corpus/{FOLDER}" if Path(corpus.root).name == "corpus" else str(folder), "",
                                   "questionnaire folder is missing")])
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        questionnaire = _load(YamlFile(Path(corpus.root), f"{FOLDER}/{path.name}", problems), path.stem, corpus)
        if questionnaire:
            out[questionnaire.id] = questionnaire
    label = f"corpus/{FOLDER}" if Path(corpus.root).name == "corpus" else str(folder)
    for required, why in REQUIRED.items():
        if not (folder / f"{required}.yaml").exists():
            problems.append(Problem(f"{label}/{required}.yaml", "", f"file is missing: {why}"))
    for questionnaire in out.values():
        for outcome in questionnaire.outcomes.values():
            for text in (outcome.explanation, *outcome.obligations):
                for named in (a or b for a, b in _NAMED.findall(text)):
                    if named not in out and not (folder / f"{named}.yaml").exists():
                        problems.append(Problem(questionnaire.file, f"outcomes.{outcome.id}",
                                                f"refers to questionnaire {named!r}, which does not exist"))
    if problems:
        raise CorpusError(problems)
    return out


def load_questionnaire_file(path: str | Path, corpus: Corpus) -> Questionnaire:
    """Load and validate one questionnaire file (any folder), raising CorpusError with all problems."""
    path = Path(path)
    problems: list[Problem] = []
    questionnaire = _load(YamlFile(path.parent.parent, f"{path.parent.name}/{path.name}", problems), path.stem, corpus)
    if problems or questionnaire is None:
        raise CorpusError(problems or [Problem(str(path), "", "not a questionnaire")])
    return questionnaire


def _fields(f: YamlFile, mapping: dict, path: str, kind: str) -> None:
    for key in mapping:
        if key not in FIELDS[kind]:
            close = difflib.get_close_matches(str(key), FIELDS[kind], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = f"{path}.{key}" if path else str(key)
            f.add(where, f"unknown field {key!r}{hint}; known fields: {', '.join(sorted(FIELDS[kind]))}")


def _ident(f: YamlFile, value: Any, path: str, what: str) -> str | None:
    """An id for a question, option, outcome or answer key; reports YAML's bare yes/no → boolean trap."""
    if isinstance(value, bool):
        word = "yes" if value else "no"
        f.add(path, f'YAML read this bare word as the boolean {str(value).lower()}; quote it: "{word}"')
        return word
    if not isinstance(value, str) or not ID_RE.match(value):
        f.add(path, f"{what} must be lowercase snake_case text (a-z, 0-9, _), got {value!r}")
        return None
    return value


def _next(f: YamlFile, entry: dict, path: str) -> str:
    target = entry.get("next")
    if target is None:
        f.add(f"{path}.next", "missing next: this answer ends nowhere (expected a question or outcome id)")
        return ""
    return _ident(f, target, f"{path}.next", "next") or ""


def _cites(f: YamlFile, mapping: dict, path: str, corpus: Corpus, key: str = "cites") -> tuple[Citation, ...]:
    return tuple(read_cites(f, mapping, path, corpus.laws, key))


def _question(f: YamlFile, node_id: str, raw: Any, corpus: Corpus) -> Question | None:
    path = f"questions.{node_id}"
    _ident(f, node_id, path, "question id")
    if not isinstance(raw, dict):
        f.add(path, "expected a mapping with text, why, cites and options (or ranges)")
        return None
    _fields(f, raw, path, "question")
    key = _ident(f, raw["key"], f"{path}.key", "key") if "key" in raw else node_id
    qtype = raw.get("type", "choice")
    if qtype not in TYPES:
        f.add(f"{path}.type", f"expected one of {', '.join(TYPES)}, got {qtype!r}")
        qtype = "number" if "ranges" in raw else "choice"  # read the branches anyway, so no false "unreachable"
    elif ("options" if qtype == "number" else "ranges") in raw:
        wrong, right = ("options", "ranges") if qtype == "number" else ("ranges", "options")
        f.add(f"{path}.{wrong}", f"a {qtype} question has {right}, not {wrong}")
    text, why, cites = f.text(raw, path, "text"), f.text(raw, path, "why"), _cites(f, raw, path, corpus)
    unit = f.text(raw, path, "unit", required=False)
    if unit and qtype != "number" and raw.get("type") in TYPES:
        f.add(f"{path}.unit", "unit is only for number questions")
    options, ranges = ((), _ranges(f, raw, path)) if qtype == "number" else (_options(f, raw, path, qtype, corpus), ())
    return Question(node_id, key or node_id, text or "", qtype, why or "", cites, options, ranges, unit,
                    _caution(f, raw, path))


def _cue_list(f: YamlFile, raw: dict, path: str, key: str = "cues") -> tuple[str, ...]:
    """Words that state an answer (or a topic) in a chat; optional, each a phrase of at least two characters."""
    if key not in raw:
        return ()
    cues = f.texts(raw, path, key)
    for i, cue in enumerate(cues):
        if len(cue) < 2:
            where = f"{path}.{key}[{i}]" if path else f"{key}[{i}]"
            f.add(where, f"cue {cue!r} is too short to be read reliably (at least two characters)")
    return tuple(cues)


def _caution(f: YamlFile, raw: dict, path: str) -> Caution | None:
    entry, where = raw.get("caution"), f"{path}.caution"
    if entry is None or isinstance(entry, str):  # another question's id: resolved once all are read (_shared_cautions)
        return None
    if not isinstance(entry, dict):
        f.add(where, "expected a mapping with cues and text, or the id of a question whose caution applies too")
        return None
    _fields(f, entry, where, "caution")
    text = f.text(entry, where, "text")
    cues = _cue_list(f, entry, where) or ()
    if "cues" not in entry:
        f.add(f"{where}.cues", "missing required list")
    return Caution(cues, text or "") if cues and text else None


def _shared_cautions(f: YamlFile, raw_questions: dict, questions: dict[str, Question]) -> dict[str, Question]:
    """`caution: license_required`: the same words and text as that question's caution, written once."""
    for node_id, raw in raw_questions.items():
        other = raw.get("caution") if isinstance(raw, dict) else None
        if not isinstance(other, str) or str(node_id) not in questions:
            continue
        source = questions.get(other)
        if source is None or source.caution is None:
            f.add(f"questions.{node_id}.caution", f"{other!r} is not a question with its own caution")
            continue
        questions[str(node_id)] = replace(questions[str(node_id)], caution=source.caution)
    return questions


def _ranges(f: YamlFile, raw: dict, path: str) -> tuple[Range, ...]:
    out, previous, entries = [], None, f.seq(raw, path, "ranges", 2)
    for i, entry in enumerate(entries):
        where, last = f"{path}.ranges[{i}]", i == len(entries) - 1
        if not isinstance(entry, dict):
            f.add(where, "expected a mapping with max and next (the last range has no max)")
            continue
        _fields(f, entry, where, "range")
        limit = entry.get("max")
        if limit is None and not last:
            f.add(where, "gap: only the last range may omit max; the ranges after this one can never be reached")
        elif limit is not None and (limit := parse_number(limit)) is None:
            f.add(f"{where}.max", f"expected a number, got {entry.get('max')!r}")
        if isinstance(limit, Decimal):
            if last:
                f.add(f"{where}.max", f"gap: the last range must have no max, or values above {format_number(limit)} "
                                      "lead nowhere")
            if limit < 0:
                f.add(f"{where}.max", "max must not be negative: answers below 0 are rejected, so this range is empty")
            if previous is not None and limit <= previous:
                f.add(f"{where}.max", f"ranges must be ordered by increasing max: {format_number(limit)} is not above "
                                      f"{format_number(previous)}")
            previous = limit if previous is None else max(previous, limit)
        out.append(Range(limit, _next(f, entry, where), f.text(entry, where, "label", required=False)))
    return tuple(out)


def _options(f: YamlFile, raw: dict, path: str, qtype: str, corpus: Corpus) -> tuple[Option, ...]:
    out, seen = [], set()
    for i, entry in enumerate(f.seq(raw, path, "options", 2)):
        where = f"{path}.options[{i}]"
        if not isinstance(entry, dict):
            f.add(where, "expected a mapping with id, label and next")
            continue
        _fields(f, entry, where, "option")
        option_id = _ident(f, entry.get("id"), f"{where}.id", "option id")
        if option_id in seen:
            f.add(f"{where}.id", f"duplicate option id {option_id!r}")
        seen.add(option_id)
        default = YES_NO_LABELS.get(option_id) if qtype == "yes_no" else None
        label = f.text(entry, where, "label", required=default is None) or default
        cites = tuple(read_cites(f, entry, where, corpus.laws)) if "cites" in entry else ()
        out.append(Option(option_id or "", label or "", _next(f, entry, where), _cue_list(f, entry, where), cites))
    owner: dict[str, str] = {}
    for i, option in enumerate(out):
        for cue in option.cues:
            if owner.setdefault(cue, option.id) != option.id:
                f.add(f"{path}.options[{i}].cues", f"cue {cue!r} is also a cue of option {owner[cue]!r}: a chat "
                                                   "phrase must state one answer")
    if qtype == "yes_no" and sorted(o.id for o in out) != ["no", "yes"]:
        f.add(f"{path}.options", 'a yes_no question has exactly two options, "yes" and "no"')
    return tuple(out)


def _outcome(f: YamlFile, node_id: str, raw: Any, corpus: Corpus) -> Outcome | None:
    path = f"outcomes.{node_id}"
    _ident(f, node_id, path, "outcome id")
    if not isinstance(raw, dict):
        f.add(path, "expected a mapping with title, explanation, obligations and cites")
        return None
    _fields(f, raw, path, "outcome")
    title, explanation = f.text(raw, path, "title"), f.text(raw, path, "explanation")
    obligations = tuple(f.texts(raw, path, "obligations"))
    cites = _cites(f, raw, path, corpus)
    statement = f.text(raw, path, "self_declaration", required=False)
    statements = {f"{path}.self_declaration": statement} if statement else {}
    by, where = raw.get("self_declaration_by"), f"{path}.self_declaration_by"
    if by is not None:
        if statement:
            f.add(where, "use either self_declaration or self_declaration_by, not both")
        if not (isinstance(by, dict) and len(by) == 1 and isinstance(next(iter(by.values())), dict)):
            f.add(where, "expected {answer key: {option id: statement}} with exactly one answer key")
            by = None
        else:
            key, table = next(iter(by.items()))
            key = _ident(f, key, f"{where}.{key}", "answer key")
            clean = {}
            for option, text in table.items():
                option_id = _ident(f, option, f"{where}.{key}.{str(option).lower()}", "option id")
                if not isinstance(text, str) or not text.strip():
                    f.add(f"{where}.{key}.{option}", "expected the statement text")
                elif option_id:
                    clean[option_id] = statements[f"{where}.{key}.{option_id}"] = text.strip()
            by = (key, clean) if key else None
    for spot, text in statements.items():
        if cites and not any(text in corpus.article(c.source, c.article).cited_text(c.paragraph) for c in cites):
            f.add(spot, f"{text!r} is not quoted verbatim from any article this outcome cites; copy it exactly from "
                        "the law text (e.g. 《网络交易监督管理办法》第十二条第三款)")
    return Outcome(node_id, title or "", explanation or "", obligations, cites, statement, by)


def _example(f: YamlFile, i: int, raw: Any) -> Example | None:
    path = f"examples[{i}]"
    if not isinstance(raw, dict):
        f.add(path, "expected a mapping with answers and outcome")
        return None
    _fields(f, raw, path, "example")
    answers, outcome = raw.get("answers"), f.text(raw, path, "outcome")
    if not isinstance(answers, dict):
        f.add(f"{path}.answers", "expected a mapping of question key: answer")
        return None
    return Example(answers, outcome or "", f.text(raw, path, "self_declaration", required=False))


def _law_version(f: YamlFile, data: dict) -> str:
    value = data.get("law_version")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        f.add("law_version", 'missing law_version: the date of the rules this questionnaire encodes, e.g. "2025-03-18"'
              if value is None else f"law_version must be a date such as \"2025-03-18\", got {value!r}")
        return ""
    return value.strip()


def _load(f: YamlFile, stem: str, corpus: Corpus) -> Questionnaire | None:
    data = f.data
    if not isinstance(data, dict):
        if data is not None or not _failed(f):
            f.add("", "expected a mapping with id, title, law_version, start, questions, outcomes and examples")
        return None
    _fields(f, data, "", "")
    questionnaire_id = f.text(data, "", "id")
    if questionnaire_id and questionnaire_id != stem:
        f.add("id", f"id {questionnaire_id!r} must match the file name {stem + '.yaml'!r}")
    title, description = f.text(data, "", "title"), f.text(data, "", "description", required=False)
    law_version, start = _law_version(f, data), f.text(data, "", "start")
    tables = {}
    for name in ("questions", "outcomes"):
        tables[name] = data.get(name)
        if not isinstance(tables[name], dict) or not tables[name]:
            f.add(name, f"expected a non-empty mapping of id: {name[:-1]}")
            tables[name] = {}
    questions = {str(k): q for k, raw in tables["questions"].items() if (q := _question(f, str(k), raw, corpus))}
    questions = _shared_cautions(f, tables["questions"], questions)
    outcomes = {str(k): o for k, raw in tables["outcomes"].items() if (o := _outcome(f, str(k), raw, corpus))}
    for node_id in set(questions) & set(outcomes):
        f.add(f"outcomes.{node_id}", f"id {node_id!r} is used by both a question and an outcome")
    examples = [e for i, raw in enumerate(f.seq(data, "", "examples")) if (e := _example(f, i, raw))]
    _check_graph(f, start, questions, outcomes, set(tables["questions"]) | set(tables["outcomes"]))
    if _failed(f):
        return None
    suggest_for = _cites(f, data, "", corpus, "suggest_for") if "suggest_for" in data else ()
    questionnaire = Questionnaire(questionnaire_id, title, description, law_version, start, questions, outcomes,
                                  examples, f.label, suggest_for, _cue_list(f, data, "", "topic_cues"))
    _check_paths(f, questionnaire)
    _check_examples(f, questionnaire)
    return None if _failed(f) else questionnaire


def _failed(f: YamlFile) -> bool:
    return any(p.file == f.label for p in f.problems)


def _check_graph(f: YamlFile, start: str | None, questions: dict, outcomes: dict, declared: set) -> None:
    """Unknown next targets, keys shared inconsistently, a start that is no question, cycles, unreachable nodes."""
    edges = {node_id: q.edges() for node_id, q in questions.items()}
    for where, _, target in (e for es in edges.values() for e in es):
        if target and target not in declared:
            close = difflib.get_close_matches(target, declared, n=1)
            f.add(f"{where}.next", f"unknown next {target!r}: no question or outcome has this id"
                                   + (f" (did you mean {close[0]!r}?)" if close else ""))
    by_key: dict[str, Question] = {}
    for q in questions.values():
        first = by_key.setdefault(q.key, q)
        if (first.type, [o.id for o in first.options]) != (q.type, [o.id for o in q.options]):
            f.add(f"questions.{q.id}.key", f"key {q.key!r} is also asked by question {first.id!r} with other "
                                           "answers; questions sharing a key must have the same type and option ids")
    if start is None:
        return
    if start not in questions:
        f.add("start", f"start {start!r} is not a question id (questions: {', '.join(questions)})")
        return
    state: dict[str, str] = {}

    def visit(node_id: str, trail: list[str]) -> None:
        state[node_id] = "open"
        for where, _, target in edges.get(node_id, []):
            if state.get(target) == "open":
                cycle = trail[trail.index(target):] + [target]
                f.add(f"{where}.next", "cycle: " + " → ".join(cycle))
            elif target in declared and target not in state:
                visit(target, trail + [target])
        state[node_id] = "done"

    visit(start, [start])
    for kind, table in (("questions", questions), ("outcomes", outcomes)):
        for node_id in table:
            if node_id not in state:
                f.add(f"{kind}.{node_id}", f"unreachable: no path from start {start!r} leads here")


def _check_paths(f: YamlFile, q: Questionnaire) -> None:
    """Checks that need whole routes: a key asked twice on one route; statements chosen by an answer not given."""
    paths, twice = q.paths(), set()
    for steps, end in paths:
        asked = set()
        for node, _ in steps:
            if node.key in asked and node.id not in twice:
                twice.add(node.id)
                f.add(f"questions.{node.id}.key", f"key {node.key!r} is asked twice on one route (to {end.id!r})")
            asked.add(node.key)
        if end.self_declaration_by:
            key, table = end.self_declaration_by
            answers = {node.key: answer for node, answer in steps}
            if answers.get(key) not in table:
                route = " → ".join(f"{node.key}=" + (str(answer) if node.type != "number" else
                                                    node.ranges[answer].label or f"ranges[{answer}]")
                                   for node, answer in steps)
                f.add(f"outcomes.{end.id}.self_declaration_by",
                      f"no statement for the route {route}: add an entry for {key}={answers.get(key, '(not asked)')}")
    if len(paths) >= MAX_PATHS:
        f.add("questions", f"more than {MAX_PATHS} routes; split the questionnaire")
    for outcome in (o for o in q.outcomes.values() if o.self_declaration_by):
        key, table = outcome.self_declaration_by
        where = f"outcomes.{outcome.id}.self_declaration_by.{key}"
        if key not in q.keys:
            f.add(where, f"no question asks {key!r}")
            continue
        for option in sorted(table.keys() - {o.id for o in q.keys[key].options}):
            f.add(f"{where}.{option}", f"question {key!r} has no option {option!r}")


def _check_examples(f: YamlFile, q: Questionnaire) -> None:
    reached, before = set(), len(f.problems)
    for i, example in enumerate(q.examples):
        path, values = f"examples[{i}]", {}
        for key, value in example.answers.items():
            try:
                values.update(normalise_answers(q, {key: value}))
            except QuestionnaireError as exc:
                f.add(f"{path}.answers.{key}", str(exc))
        if len(values) < len(example.answers):
            continue
        steps, end = q.walk(values)
        on_path = {node.key: value for node, value in steps}
        for key in values.keys() - on_path.keys():
            f.add(f"{path}.answers.{key}", "not on the route these answers take; remove it so the example shows "
                                           "exactly what is asked")
        if example.outcome not in q.outcomes:
            f.add(f"{path}.outcome", f"unknown outcome {example.outcome!r} (outcomes: {', '.join(q.outcomes)})")
        elif isinstance(end, Question):
            f.add(f"{path}.answers", f"the answers stop at question {end.key!r} before reaching an outcome")
        elif end.id != example.outcome:
            f.add(f"{path}.outcome", f"the answers reach outcome {end.id!r}, not {example.outcome!r}")
        else:
            reached.add(end.id)
            statement = end.declaration(on_path)
            if example.self_declaration is not None and statement != example.self_declaration:
                f.add(f"{path}.self_declaration", f"the outcome's statement is {statement!r}")
    for outcome_id in [o for o in q.outcomes if o not in reached] if len(f.problems) == before else []:
        f.add(f"outcomes.{outcome_id}", "no example reaches this outcome; add one to examples")
