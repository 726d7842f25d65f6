"""The CLI contract of `assistant ask`, `eval` and error handling (in-process, real index)."""

import json

import pytest

from assistant.cli import main


@pytest.fixture()
def run(built, capsys):
    def _run(*args):
        code = main([*args, "--corpus-dir", str(built / "corpus"), "--index-dir", str(built / "index")])
        out = capsys.readouterr()
        return code, out.out, out.err
    return _run


def test_ask_json_contract(run):
    code, out, err = run("ask", "--json", "我在朋友圈卖蛋糕要办营业执照吗？")
    assert code == 0, err
    result = json.loads(out)
    assert result["question"] == "我在朋友圈卖蛋糕要办营业执照吗？"
    assert result["answered"] is True
    first = result["citations"][0]
    assert set(first) == {"source", "article", "paragraph", "label", "text", "score"}
    assert (first["source"], first["article"]) == ("measures", 8)
    assert isinstance(result["related"], list) and result["corpus_version"]


def test_ask_readable(run):
    code, out, _ = run("ask", "直播带货要展示哪些信息")
    assert code == 0 and "引用条文" in out and "不构成法律意见" in out


def test_batch_keeps_input_order(run, tmp_path):
    questions = ["刷单违法吗", "今天天气怎么样", "", "平台要保存交易信息多久"]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(questions) + "\n", encoding="utf-8")
    code, out, err = run("ask", "--batch", str(path))
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert lines[1]["answered"] is False and lines[2]["ok"] is False


@pytest.mark.parametrize("question", ["", "   ", "\t"])
def test_empty_question_exits_2(run, question):
    code, _, err = run("ask", question)
    assert code == 2 and "问题不能为空" in err, err


def test_empty_question_json_error_shape(run):
    code, out, _ = run("ask", "--json", " ")
    assert code == 2
    assert json.loads(out) == {"ok": False, "error": "问题不能为空，请输入您想咨询的内容。",
                               "errors": ["问题不能为空，请输入您想咨询的内容。"], "status": 400}


def test_huge_question_is_truncated_and_answered(run):
    code, out, _ = run("ask", "--json", "平台让我二选一怎么办？" * 1000)
    result = json.loads(out)
    assert code == 0 and "已截取前500字" in result["answer"] and len(result["question"]) == 500


def test_english_input_does_not_crash(run):
    code, out, _ = run("ask", "--json", "Is fake review (刷单) illegal on Taobao?")
    assert code == 0 and isinstance(json.loads(out)["answered"], bool)


def test_eval_prints_table_for_all_modes(run, tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text("in_scope:\n  - {q: 刷单违法吗, articles: [14]}\nout_of_scope:\n  - {q: 红烧肉怎么做}\n",
                    encoding="utf-8")
    code, out, err = run("eval", str(path))
    assert code == 0, err
    assert "| recall@1 |" in out and "bm25" in out and "hybrid" in out


def test_unknown_encoder_is_a_clear_error(run):
    code, _, err = run("ask", "刷单", "--encoder", "word2vec")
    assert code != 0 and "unknown encoder 'word2vec'" in err
