"""Chat decides registration questions with the questionnaire, from the facts the merchant stated (issue 7).

The table in tests/data/chat_registration.yaml was written from the questionnaire, in merchants' words; every row
runs through `KnowledgeBase.ask` exactly as the CLI, API and UI call it.
"""

from pathlib import Path

import pytest
import yaml

from assistant.flows import assess

CASES = yaml.safe_load((Path(__file__).parent / "data" / "chat_registration.yaml").read_text(encoding="utf-8"))["cases"]
HOME_EXAMPLES = {  # every home-page example (ui/app.py EXAMPLES): the questionnaire, whether it decides, what it asks
    "我在朋友圈卖蛋糕要办营业执照吗？": ("registration", True, "activity"),
    "个人网店一年卖6万元需要登记吗？": ("registration", True, "activity"),
    "直播带货要展示哪些信息？": ("live_commerce", False, "role"),         # a list question: answered, then offered
    "平台要保存交易信息多久？": ("platform_duties", False, "platform_type"),  # a deadline question
    "自动续费要提前提醒消费者吗？": ("marketing_practices", False, "practice"),  # the rule, not "my case"
}


def _id(case):
    return (" → ".join([*case.get("history", []), case["q"]]))[:60]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_chat_decision(kb, case):
    result = kb.ask(case["q"], history=case.get("history"))
    got = result.get("assessment")
    if case.get("decides") is False and (got is None or got["id"] != "registration"):
        assert got is None or not got["decides"], (case, got)
        return
    assert got is not None and got["id"] == "registration", (case, result["answer"][:200])
    assert got["decides"] == case.get("decides", True), (case, got)
    facts = got["answers"]
    for key, value in (case.get("facts") or {}).items():
        assert facts.get(key) == value, (case["q"], facts)
    for key in case.get("absent", []):
        assert key not in facts, (case["q"], facts)
    if "status" in case:
        assert got["status"] == case["status"], (case["q"], got)
    if "outcome" in case:
        assert got["outcome"]["id"] == case["outcome"], (case["q"], got)
    if "next" in case:
        assert got["next"]["id"] == case["next"], (case["q"], got)
    if case.get("cautions"):
        assert got["cautions"], (case["q"], got)
    if got["decides"]:
        assert result["basis"] == "assessment" and result["answered"], result
        if got["status"] == "complete":
            assert result["answer"].startswith(f"**结论：{got['outcome']['title']}**"), result["answer"][:80]
        else:
            assert got["next"]["text"] in result["answer"]
            assert all(o["label"] in result["answer"] for o in got["next"]["options"])


def test_table_is_large_and_covers_every_outcome():
    assert len(CASES) >= 80
    outcomes = {c.get("outcome") for c in CASES}
    assert {"register_required", "exempt", "registered"} <= outcomes


def test_every_home_page_example_is_in_the_table():
    pytest.importorskip("gradio")
    try:
        from ui.chat_tab import EXAMPLES
    except ImportError:
        from ui.app import EXAMPLES

    assert sorted(EXAMPLES) == sorted(HOME_EXAMPLES)


@pytest.mark.parametrize("question", sorted(HOME_EXAMPLES))
def test_home_page_examples(kb, question):
    qid, decides, step = HOME_EXAMPLES[question]
    result = kb.ask(question)
    got = result["assessment"]
    assert result["answered"] and (got["id"], got["decides"], got["next"]["id"]) == (qid, decides, step), got
    assert (result["basis"] == "assessment") == decides, result["basis"]


def test_chat_agrees_with_self_assessment_for_every_registration_outcome(kb, corpus, questionnaires):
    """For each route of the registration questionnaire, answering it turn by turn in chat (quick replies) reaches
    the same outcome, statement and obligations as 自查 with the same answers."""
    questionnaire = questionnaires["registration"]
    for steps, outcome in questionnaire.paths():
        answers, turns = {}, []
        for node, answer in steps:
            if node.type == "number":
                value = [60000, 100000, 100001][answer] if answer < 3 else 60000
                value = 60000 if node.ranges[answer].max is not None else 150000
                answers[node.key], reply = value, f"{value}元"
            else:
                answers[node.key] = answer
                reply = next(o.label for o in node.options if o.id == answer)
            turns.append(reply)
        expected = assess(questionnaire, answers, corpus)
        history = ["我要办营业执照吗？"]
        for reply in turns:
            result = kb.ask(reply, history=history)
            history.append(reply)
        got = result["assessment"]
        assert got["status"] == "complete" and got["outcome"]["id"] == outcome.id == expected["outcome"]["id"], \
            (history, got)
        statement = expected["outcome"].get("self_declaration")
        assert statement is None or statement in result["answer"], (history, result["answer"])
        assert all(item in result["answer"] for item in expected["outcome"]["obligations"]), history


def test_no_path_turns_a_seller_who_must_register_into_exempt(kb):
    """Over 10万 selling goods bought in: every way of saying the amount ends in register_required, never exempt."""
    for amount in ("超过10万", "十万多", "10万出头", "12万", "十二万", "1.2万", "120,000", "12w", "10w+", "十多万",
                   "每个月一万多", "每天卖三百"):
        got = kb.ask(f"我是个人，卖进货的衣服，一年{amount}，要办营业执照吗")["assessment"]
        assert got["outcome"] and got["outcome"]["id"] == "register_required" or amount == "1.2万", (amount, got)


@pytest.mark.parametrize("question", [
    "超过十万没办执照，平台会提醒我吗",           # asks what the platform does (Art. 24(2))
    "我一年卖了15万没办执照，平台会不会封我店",
])
def test_facts_beside_another_question_do_not_start_the_questionnaire(kb, question):
    result = kb.ask(question)
    assert result["basis"] != "assessment", result["answer"][:200]
    assert result["citations"][0]["article"] == 24


def test_a_conclusion_cites_the_provision_that_decided_it_first(kb):
    farm = kb.ask("卖自家种的橘子一年15万，不需要许可，需要办执照吗")
    assert farm["assessment"]["outcome"]["id"] == "exempt"
    assert (farm["citations"][0]["article"], farm["citations"][0]["paragraph"]) == (8, 1)
    cleaning = kb.ask("我做上门保洁的，一年20万，要办执照吗")
    assert (cleaning["citations"][0]["article"], cleaning["citations"][0]["paragraph"]) == (8, 2)


def test_two_questions_in_one_decide_the_registration_one_and_refer_the_other(kb):
    result = kb.ask("我有两个问题，第一个是我卖自己做的蛋糕要不要办执照，第二个是顾客吃坏肚子我要赔多少")
    assert result["basis"] == "assessment" and result["assessment"]["next"]["id"] == "activity", result["answer"][:200]
    assert "**您问的另一个问题**" in result["answer"]
