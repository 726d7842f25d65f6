"""Deliberately broken questionnaires (tests/data/questionnaires/, one file per case): each is rejected with the
file, the line, the path inside the file and a clear message — and every problem in a file is reported at once."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.flow_loader import load_questionnaire_file, load_questionnaires

DATA = Path(__file__).resolve().parent / "data" / "questionnaires"

# file stem → problems expected as "LINE: path: message fragment" (the file name is prefixed in the test)
BROKEN = {
    "unknown_next": ["13: questions.operator.options[1].next: unknown next 'registerd': no question or outcome has "
                     "this id (did you mean 'registered'?)",
                     "24: outcomes.registered: unreachable: no path from start 'operator' leads here"],
    "unreachable": ["24: questions.orphan: unreachable: no path from start 'operator' leads here"],
    "cycle": ["22: questions.turnover.ranges[1].next: cycle: operator → turnover → operator"],
    "ends_nowhere": ["13: questions.operator.options[1].next: missing next: this answer ends nowhere"],
    "range_gap": ["22: questions.turnover.ranges[1].max: gap: the last range must have no max, or values above "
                  "1000000 lead nowhere"],
    "range_open_middle": ["21: questions.turnover.ranges[0]: gap: only the last range may omit max"],
    "range_unordered": ["22: questions.turnover.ranges[1].max: ranges must be ordered by increasing max: 50000 is "
                        "not above 100000"],
    "duplicate_option": ["13: questions.operator.options[1].id: duplicate option id 'individual'"],
    "unknown_article": ["10: questions.operator.cites[0]: unknown article 'measures:88'"],
    "unknown_paragraph": ["19: questions.turnover.cites[0]: unknown paragraph: article measures:8 has 3 paragraph(s)"],
    "unknown_source": ["26: outcomes.register_required.cites[0]: unknown source 'civil_code'"],
    "bad_citation": ["10: questions.operator.cites[0]: bad citation 'measures-8'"],
    "missing_law_version": ["2: law_version: missing law_version"],
    "example_wrong_outcome": ["29: examples[1].outcome: the answers reach outcome 'exempt', not 'register_required'"],
    "example_bad_answer": ["29: examples[1].answers.turnover: “您所有网店一年的交易额合计约多少元？”的回答“abc”无效",
                           "Invalid answer 'abc' for question turnover: expected a non-negative number"],
    "example_unknown_option": ["28: examples[0].answers.operator: “您目前的经营主体是？”的回答“company”无效",
                               "valid options: individual, registered"],
    "example_stops_early": ["29: examples[1].answers: the answers stop at question 'turnover' before reaching an "
                            "outcome"],
    "example_extra_answer": ["28: examples[0].answers.turnover: not on the route these answers take"],
    "outcome_without_example": ["26: outcomes.register_required: no example reaches this outcome"],
    "bare_yes": ['29: questions.licensed.options[0].id: YAML read this bare word as the boolean true; quote it: "yes"'],
    "yes_no_options": ['29: questions.licensed.options: a yes_no question has exactly two options, "yes" and "no"'],
    "id_mismatch": ["2: id: id 'registration' must match the file name 'id_mismatch.yaml'"],
    "schema": ["8: questions.operator.text: expected text, got int",
               "12: questions.operator.options[0].nxt: unknown field 'nxt' (did you mean 'next'?)",
               "12: questions.operator.options[0].next: missing next",
               "15: questions.turnover.type: expected one of choice, yes_no, number, got 'integer'"],
    "start_unknown": ["5: start: start 'nowhere' is not a question id (questions: operator, turnover)"],
    "same_id": ["24: outcomes.turnover: id 'turnover' is used by both a question and an outcome"],
    "statement_not_verbatim": ["25: outcomes.exempt.self_declaration: '个人卖东西不用登记' is not quoted verbatim"],
    "statement_by_uncovered": ["25: outcomes.exempt.self_declaration_by: no statement for the route "
                               "operator=individual → turnover=ranges[0]: add an entry for operator=individual"],
    "statement_by_unknown_option": ["25: outcomes.exempt.self_declaration_by.operator.person: question 'operator' "
                                    "has no option 'person'"],
    "shared_key_mismatch": ["24: questions.turnover_again.key: key 'turnover' is also asked by question 'turnover' "
                            "with other answers"],
    "key_twice_on_route": ["24: questions.turnover_again.key: key 'turnover' is asked twice on one route"],
    "duplicate_key": ["16: questions.turnover.type: duplicate key"],
    "yaml_syntax": ["14: YAML syntax error"],
    "not_a_mapping": ["2: expected a mapping with id, title"],
}


def problems_of(name: str, corpus) -> list[str]:
    with pytest.raises(CorpusError) as err:
        load_questionnaire_file(DATA / f"{name}.yaml", corpus)
    return err.value.problems


def test_the_base_fixture_is_valid(corpus):
    questionnaire = load_questionnaire_file(DATA / "valid.yaml", corpus)
    assert questionnaire.id == "valid" and len(questionnaire.examples) == 3


def test_every_fixture_has_a_case():
    assert {p.stem for p in DATA.glob("*.yaml")} == set(BROKEN) | {"valid", "empty"}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_reported_with_file_line_and_path(corpus, name):
    problems = problems_of(name, corpus)
    for fragment in BROKEN[name]:
        expected = fragment if not fragment[0].isdigit() else f"questionnaires/{name}.yaml:{fragment}"
        assert any(expected in problem for problem in problems), f"{expected!r} not in:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", ["cycle", "unreachable", "range_gap", "duplicate_option", "unknown_article",
                                  "example_wrong_outcome", "bare_yes", "id_mismatch", "start_unknown"])
def test_one_cause_gives_one_problem(corpus, name):
    """No cascades: a single mistake is reported once, so the list stays readable."""
    problems = problems_of(name, corpus)
    assert len(problems) == len(BROKEN[name]), "\n".join(problems)


def test_empty_file(corpus):
    problems = problems_of("empty", corpus)
    assert problems == [f"{DATA / 'empty.yaml'}: expected a mapping with id, title, law_version, start, questions, "
                        "outcomes and examples"], problems


def test_all_problems_of_all_files_are_reported_at_once(corpus, tmp_path):
    """`assistant check` path: corpus/questionnaires/x.yaml:LINE labels, every broken file in one CorpusError."""
    root = tmp_path / "corpus"
    shutil.copytree(corpus.root, root)
    for name in ("cycle", "range_gap", "bare_yes"):
        shutil.copy(DATA / f"{name}.yaml", root / "questionnaires" / f"{name}.yaml")
    with pytest.raises(CorpusError) as err:
        load_questionnaires(dataclasses.replace(corpus, root=root))
    problems = err.value.problems
    assert "corpus/questionnaires/cycle.yaml:22: questions.turnover.ranges[1].next: cycle: operator → turnover → " \
           "operator" in problems, problems
    assert any(p.startswith("corpus/questionnaires/range_gap.yaml:22: questions.turnover.ranges[1].max: gap") for p in
               problems), problems
    assert any(p.startswith("corpus/questionnaires/bare_yes.yaml:29: questions.licensed.options[0].id") for p in
               problems), problems
    assert len(problems) == 3, problems


def test_missing_folder(corpus, tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    with pytest.raises(CorpusError, match="questionnaire folder is missing"):
        load_questionnaires(dataclasses.replace(corpus, root=root))
