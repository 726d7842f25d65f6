"""`assistant assess` contract and the link from chat to self-assessment (suggested_assessment + prefill)."""

import json

import pytest

from assistant import cli


@pytest.fixture()
def run(built, capsys):
    def _run(*args):
        code = cli.main([*args, "--corpus-dir", str(built / "corpus"), "--index-dir", str(built / "index")])
        out = capsys.readouterr()
        return code, out.out, out.err
    return _run


def _answers(**answers):
    return [arg for key, value in answers.items() for arg in ("--answer", f"{key}={value}")]


def test_list(run):
    code, out, _ = run("assess", "--list")
    assert code == 0 and "registration" in out and "我需要办理市场主体登记吗？" in out


def test_need_more_then_complete(run):
    code, out, _ = run("assess", "registration", "--json", *_answers(operator="individual"))
    result = json.loads(out)
    assert code == 0 and result["status"] == "need_more" and result["next"]["id"] == "activity"
    assert {o["id"] for o in result["next"]["options"]} == {"own_farm_products", "home_handicrafts",
                                                             "convenience_labor", "other"}
    code, out, _ = run("assess", "registration", "--json", *_answers(
        operator="individual", activity="other", license_required="no", annual_turnover="100000"))
    result = json.loads(out)
    assert result["status"] == "complete" and result["outcome"]["id"] == "exempt"
    assert result["outcome"]["self_declaration"] == "个人从事零星小额交易活动，依法不需要办理市场主体登记"
    assert result["law_version"] == "2025-03-18" and result["corpus_version"]


@pytest.mark.parametrize("answer", ["operator=robot", "annual_turnover=-5", "nope=1", "operator"])
def test_bad_answers_exit_2(run, answer):
    code, out, _ = run("assess", "registration", "--json", "--answer", answer)
    assert code == 2 and json.loads(out)["ok"] is False


def test_unknown_questionnaire_exits_2(run):
    code, _, err = run("assess", "no_such_flow")
    assert code == 2 and "registration" in err


@pytest.mark.parametrize("suffix, marker", [(".html", "<!DOCTYPE html>"), (".md", "# ")])
def test_report_file(run, tmp_path, suffix, marker):
    path = tmp_path / f"report{suffix}"
    code, _, _ = run("assess", "registration", "--json", "--report", str(path), *_answers(operator="registered"))
    text = path.read_text(encoding="utf-8")
    assert code == 0 and text.startswith(marker) and "第十二条" in text and "不构成法律意见" in text


def test_interactive_walk_with_back(monkeypatch, kb, capsys):
    replies = iter(["1", "4", "b", "3", "2"])  # individual, other, back, convenience_labor, no
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    questionnaire = kb.questionnaires["registration"]
    result = cli._interactive(questionnaire, kb.corpus, {})
    assert result["outcome"]["id"] == "exempt"
    assert result["outcome"]["self_declaration"].startswith("个人利用自己的技能从事依法无须取得许可的便民劳务活动")
    assert "为什么问这个" in capsys.readouterr().out


def test_chat_suggests_registration_with_prefill(kb):
    result = kb.ask("我在朋友圈卖蛋糕，一年卖五六万，要办营业执照吗")
    assert result["suggested_assessment"] == "registration"
    assert result["prefill"] == {"operator": "individual", "annual_turnover": 60000}
    assert result["assessment"]["answers"] == result["prefill"]


def test_no_suggestion_when_not_covered(kb):
    result = kb.ask("红烧肉怎么做")
    assert "suggested_assessment" not in result


def test_prefill_feeds_the_engine(kb):
    from assistant.flows import assess

    result = kb.ask("个人网店一年卖十二三万，还能不办执照吗")
    answers = {"activity": "other", "license_required": "no", **result["prefill"]}
    outcome = assess(kb.questionnaires[result["suggested_assessment"]], answers, kb.corpus)["outcome"]
    assert outcome["id"] == "register_required"
