"""`assistant check` reports every corpus problem at once, as `file:line: path: problem`."""

import re
import shutil

import pytest

from assistant.cli import main
from assistant.corpus import load_corpus
from assistant.errors import CorpusError
from conftest import CORPUS, DATA


@pytest.fixture()
def corpus_copy(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def problems_for(corpus_dir) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(corpus_dir)
    return info.value.problems


def test_real_corpus_is_valid():
    corpus = load_corpus(CORPUS)
    assert len(corpus.laws["measures"].articles) == 56
    assert len(corpus.faq) >= 80
    assert all(len(item.paraphrases) >= 2 for item in corpus.faq)


def test_faq_covers_every_chapter():
    corpus = load_corpus(CORPUS)
    cited = {c.article for item in corpus.faq for c in item.cites if c.source == "measures"}
    chapters = {a.chapter for n, a in corpus.laws["measures"].articles.items() if n in cited}
    assert chapters == {a.chapter for a in corpus.laws["measures"].articles.values()}


def test_all_faq_problems_reported_with_lines(corpus_copy):
    shutil.copy(DATA / "corpus" / "faq_broken.yaml", corpus_copy / "faq.yaml")
    problems = problems_for(corpus_copy)
    expected = [
        "corpus/faq.yaml:13: items[1].cites[0]: unknown article 'measures:88'",
        "corpus/faq.yaml:15: items[2].id: duplicate id 'good-entry'",
        "corpus/faq.yaml:24: items[3].answer: empty text",
        "corpus/faq.yaml:26: items[3].audience: expected one of",
        "corpus/faq.yaml:25: items[3].cites[0]: unknown paragraph: article measures:8 has 3 paragraph(s)",
        "corpus/faq.yaml:27: items[4].id: id 'Bad_ID' must be lowercase kebab-case",
        "corpus/faq.yaml:29: items[4].paraphrases: expected at least 2 entries, got 1",
        "corpus/faq.yaml:31: items[4].cites[0]: bad citation 'article eight'",
    ]
    for fragment in expected:
        assert any(p.startswith(fragment) for p in problems), f"missing {fragment!r} in:\n" + "\n".join(problems)


def test_yaml_syntax_error_names_file_and_line(corpus_copy):
    shutil.copy(DATA / "corpus" / "faq_syntax_error.yaml", corpus_copy / "faq.yaml")
    problems = problems_for(corpus_copy)
    assert any(p.startswith("corpus/faq.yaml:") and "YAML syntax error" in p for p in problems), problems


def test_law_text_problems(corpus_copy):
    path = corpus_copy / "measures.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("- number: 2\n", "- number: 1\n", 1)  # duplicate article number
    text = re.sub(r"(?m)^  - text: 本办法自2021年5月1日起施行。.*$", "  - text: ''", text)
    path.write_text(text, encoding="utf-8")
    problems = problems_for(corpus_copy)
    assert any("articles[1].number: duplicate article 1" in p for p in problems), problems
    assert any("articles[55].paragraphs[0].text: empty text" in p for p in problems), problems


def test_invalid_utf8_names_the_line(corpus_copy):
    (corpus_copy / "synonyms.yaml").write_bytes("synonyms:\n  刷单: [补单]\n  刷单: [x]\n".encode() + b"\xff\n")
    problems = problems_for(corpus_copy)
    assert any(p.startswith("corpus/synonyms.yaml:4") and "not valid UTF-8" in p for p in problems), problems


def test_duplicate_yaml_key_reported(corpus_copy):
    (corpus_copy / "synonyms.yaml").write_text("synonyms:\n  虚构交易: [刷单]\n  虚构交易: [补单]\n", encoding="utf-8")
    problems = problems_for(corpus_copy)
    assert "corpus/synonyms.yaml:3: synonyms.虚构交易: duplicate key" in problems, problems


def test_check_command_exit_codes(corpus_copy, capsys):
    assert main(["check", "--corpus-dir", str(corpus_copy)]) == 0
    assert "corpus OK" in capsys.readouterr().out
    shutil.copy(DATA / "corpus" / "faq_broken.yaml", corpus_copy / "faq.yaml")
    assert main(["check", "--corpus-dir", str(corpus_copy)]) == 1
    err = capsys.readouterr().err
    assert "unknown article 'measures:88'" in err and "problem(s) found" in err, err


def test_broken_asks_pattern_names_file_line_and_field(corpus_copy):
    path = corpus_copy / "out_of_scope.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("      - '发票'\n", "      - '发票(开具'\n", 1)
    path.write_text(text, encoding="utf-8")
    problems = problems_for(corpus_copy)
    line = text.splitlines().index("      - '发票(开具'") + 1
    assert any(p.startswith(f"corpus/out_of_scope.yaml:{line}") and ".asks[0]" in p
               and "not a valid regular expression" in p for p in problems), problems
