"""Every questionnaire in corpus/questionnaires: every edge (grouped by question), the examples tables, and the
registration rules the law fixes (10万元 boundary, licensed activities, shops combined)."""

import re
from collections import deque
from decimal import Decimal

import pytest
import yaml

from assistant.flows import Outcome, assess
from conftest import CORPUS

FILES = sorted(p.stem for p in (CORPUS / "questionnaires").glob("*.yaml"))
REQUIRED = {"registration", "platform_role", "personal_info", "live_commerce", "marketing_practices",
            "platform_duties", "closing_shop"}


def routes_to_questions(questionnaire) -> dict[str, dict]:
    """For every question node, the shortest answers that lead to it (breadth-first over the declared graph)."""
    routes = {questionnaire.start: {}}
    queue = deque([questionnaire.start])
    while queue:
        node_id = queue.popleft()
        question = questionnaire.questions[node_id]
        for answer, target in branches(question):
            if target in questionnaire.questions and target not in routes:
                routes[target] = {**routes[node_id], question.key: answer}
                queue.append(target)
    return routes


def branches(question) -> list[tuple[object, str]]:
    """(an answer, the node it must lead to) for every option; for number ranges both edges of each bin."""
    if question.type != "number":
        return [(option.id, option.next) for option in question.options]
    out, low = [], Decimal(0)
    for current in question.ranges:
        if current.max is None:
            out += [(low + Decimal("0.01"), current.next), (low * 10 + 1, current.next)]
        else:
            out += [(low + Decimal("0.01") if out else low, current.next), (current.max, current.next)]
            low = current.max
    return [(str(value), target) for value, target in out]


def raw(name: str) -> dict:
    """The file as plain YAML, read at collection time so that test ids name each question and example."""
    return yaml.safe_load((CORPUS / "questionnaires" / f"{name}.yaml").read_text(encoding="utf-8"))


def edge_cases():
    return [pytest.param(name, node_id, id=f"{name}/{node_id}") for name in FILES for node_id in raw(name)["questions"]]


def test_all_required_questionnaires_exist(questionnaires):
    assert REQUIRED <= set(questionnaires), sorted(questionnaires)
    assert set(FILES) == set(questionnaires)


@pytest.mark.parametrize("name", FILES)
def test_questionnaire_metadata(questionnaires, name):
    q = questionnaires[name]
    assert q.id == name and q.title and q.description and q.law_version == "2025-03-18"
    assert len(q.examples) >= 3, f"{name}: {len(q.examples)} examples"
    for question in q.questions.values():
        assert question.why and question.cites, f"{name}.{question.id} needs why and cites"
    for outcome in q.outcomes.values():
        assert outcome.title and outcome.explanation and outcome.obligations and outcome.cites, outcome.id


@pytest.mark.parametrize("name,node_id", edge_cases())
def test_every_edge(questionnaires, corpus, name, node_id):
    """GOV.UK smart-answers style: reach the question, then check that each answer leads where the file says."""
    q = questionnaires[name]
    routes = routes_to_questions(q)
    assert node_id in routes, f"{node_id} is not reachable"
    question = q.questions[node_id]
    before = assess(q, routes[node_id], corpus)
    assert before["status"] == "need_more" and before["next"]["id"] == question.key, before["next"]
    assert before["next"]["text"] == question.text
    for answer, target in branches(question):
        result = assess(q, {**routes[node_id], question.key: answer}, corpus)
        assert result["path"][-1]["question"] == question.key, result["path"]
        assert result["ignored"] == [], result["ignored"]
        if isinstance(q.node(target), Outcome):
            assert result["status"] == "complete", (answer, result["next"])
            assert result["outcome"]["id"] == target, (answer, result["outcome"]["id"])
        else:
            assert result["status"] == "need_more", (answer, result["outcome"])
            assert result["next"]["text"] == q.questions[target].text, (answer, result["next"])


def example_cases():
    return [pytest.param(name, i, id=f"{name}/examples[{i}]")
            for name in FILES for i in range(len(raw(name)["examples"]))]


@pytest.mark.parametrize("name,index", example_cases())
def test_examples_table(questionnaires, corpus, name, index):
    q = questionnaires[name]
    example = q.examples[index]
    result = assess(q, example.answers, corpus)
    assert result["status"] == "complete" and result["outcome"]["id"] == example.outcome, result
    assert result["ignored"] == []
    if example.self_declaration is not None:
        assert result["outcome"]["self_declaration"] == example.self_declaration


@pytest.mark.parametrize("name", FILES)
def test_every_outcome_is_reached_by_an_example(questionnaires, name):
    q = questionnaires[name]
    assert {e.outcome for e in q.examples} == set(q.outcomes)


@pytest.mark.parametrize("name", FILES)
def test_every_citation_resolves(questionnaires, corpus, name):
    q = questionnaires[name]
    for node in [*q.questions.values(), *q.outcomes.values()]:
        for cite in node.cites:
            assert corpus.has(cite), f"{name}.{node.id}: {cite}"


class TestRegistration:
    """The law's boundaries, asserted case by case (《网络交易监督管理办法》第八条、第十二条，《电子商务法》第十条)."""

    BASE = {"operator": "individual", "activity": "other", "license_required": "no"}

    def outcome(self, questionnaires, corpus, **answers):
        return assess(questionnaires["registration"], {**self.BASE, **answers}, corpus)

    @pytest.mark.parametrize("turnover", [0, 1, 60000, 99999.99, 100000, "100000", "100000.00", "100,000"])
    def test_up_to_100000_is_exempt(self, questionnaires, corpus, turnover):
        result = self.outcome(questionnaires, corpus, annual_turnover=turnover)
        assert result["outcome"]["id"] == "exempt", (turnover, result["outcome"]["id"])
        assert result["outcome"]["self_declaration"] == "个人从事零星小额交易活动，依法不需要办理市场主体登记"

    @pytest.mark.parametrize("turnover", [100000.01, "100000.01", 100001, 120000, 10**9])
    def test_above_100000_must_register(self, questionnaires, corpus, turnover):
        result = self.outcome(questionnaires, corpus, annual_turnover=turnover)
        assert result["outcome"]["id"] == "register_required", (turnover, result["outcome"]["id"])

    @pytest.mark.parametrize("activity", ["other", "convenience_labor"])
    @pytest.mark.parametrize("turnover", [None, 0, 100000])
    def test_licensed_activity_is_never_exempt(self, questionnaires, corpus, activity, turnover):
        result = self.outcome(questionnaires, corpus, activity=activity, license_required="yes",
                              annual_turnover=turnover)
        assert result["status"] == "complete" and result["outcome"]["id"] == "register_required", result
        assert "annual_turnover" not in [step["question"] for step in result["path"]], "turnover must not be asked"

    def test_licensed_other_activity_does_not_ask_turnover(self, questionnaires, corpus):
        result = assess(questionnaires["registration"],
                        {"operator": "individual", "activity": "other", "license_required": "yes"}, corpus)
        assert result["status"] == "complete" and result["outcome"]["id"] == "register_required", result

    def test_convenience_labor_without_licence(self, questionnaires, corpus):
        result = assess(questionnaires["registration"],
                        {"operator": "individual", "activity": "convenience_labor", "license_required": "no"}, corpus)
        assert result["outcome"]["id"] == "exempt"
        assert result["outcome"]["self_declaration"] == \
            "个人利用自己的技能从事依法无须取得许可的便民劳务活动，依法不需要办理市场主体登记"
        assert [step["question"] for step in result["path"]] == ["operator", "activity", "license_required"]

    @pytest.mark.parametrize("activity,statement", [
        ("own_farm_products", "个人销售自产农副产品，依法不需要办理市场主体登记"),
        ("home_handicrafts", "个人销售家庭手工业产品，依法不需要办理市场主体登记")])
    def test_farm_products_and_handicrafts_are_exempt_once_no_licence_is_needed(self, questionnaires, corpus,
                                                                               activity, statement):
        registration, answers = questionnaires["registration"], {"operator": "individual", "activity": activity}
        asked = assess(registration, answers, corpus)
        assert asked["status"] == "need_more" and asked["next"]["id"] == "license_required", asked  # 手工蛋糕, 自酿酒
        result = assess(registration, {**answers, "license_required": "no"}, corpus)
        assert result["status"] == "complete" and result["outcome"]["self_declaration"] == statement, result
        assert any("行政许可" in item for item in result["outcome"]["obligations"]), "licence reminder (电子商务法第十二条)"
        licensed = assess(registration, {**answers, "license_required": "yes"}, corpus)
        assert licensed["outcome"]["id"] == "register_required", licensed

    def test_registered_is_decided_at_once_and_lists_what_to_display(self, questionnaires, corpus):
        result = assess(questionnaires["registration"], {"operator": "registered"}, corpus)
        assert result["status"] == "complete" and len(result["path"]) == 1, result
        text = "\n".join(result["outcome"]["obligations"])
        for entity, fields in (("企业", "企业类型、法定代表人（负责人）、住所、注册资本（出资额）"),
                               ("个体工商户", "经营者姓名、经营场所、组成形式"),
                               ("农民专业合作社", "法定代表人、住所、成员出资总额")):
            assert entity in text and fields in text, entity
        assert "行政许可" in text and "十个工作日" in text

    def test_exempt_duties(self, questionnaires, corpus):
        outcome = self.outcome(questionnaires, corpus, annual_turnover=1)["outcome"]
        text = "\n".join(outcome["obligations"])
        for duty in ("实际经营地址、联系方式", "十个工作日", "税务登记", "合并计算"):
            assert duty in text, duty
        labels = {c["label"] for c in outcome["citations"]}
        assert {"《网络交易监督管理办法》第十二条第三款", "《中华人民共和国电子商务法》第十一条第二款"} <= labels, labels

    def test_statements_are_verbatim_from_article_12(self, questionnaires, corpus):
        law = corpus.article("measures", 12).cited_text(3)
        _, table = questionnaires["registration"].outcomes["exempt"].self_declaration_by
        assert len(table) == 4
        for statement in table.values():
            assert f"“{statement}”" in law, statement

    def test_turnover_question_says_shops_are_combined(self, questionnaires, corpus):
        question = assess(questionnaires["registration"], self.BASE, corpus)["next"]
        assert question["id"] == "annual_turnover" and question["unit"] == "元"
        assert "所有网店" in question["text"] and "合并计算" in question["text"], question["text"]
        assert "不同平台" in question["text"]


def test_live_commerce_keeps_videos_three_years(questionnaires, corpus):
    result = assess(questionnaires["live_commerce"], {"role": "service_provider", "services": "live_only"}, corpus)
    assert any("三年" in item for item in result["outcome"]["obligations"]), result["outcome"]
    assert {"source": "measures", "article": 20, "paragraph": 2,
            "label": "《网络交易监督管理办法》第二十条第二款"} in result["outcome"]["citations"]


def test_closing_shop_requires_thirty_days_notice(questionnaires, corpus):
    result = assess(questionnaires["closing_shop"], {"initiated_by": "myself", "advance_notice": "no"}, corpus)
    assert result["outcome"]["id"] == "fix_advance_notice" and "三十日" in result["outcome"]["explanation"]


def test_platform_role_social_live_services_are_platforms(questionnaires, corpus):
    q = questionnaires["platform_role"]
    result = assess(q, {"provides_platform": "no", "social_live_provider": "yes"}, corpus)
    assert result["outcome"]["id"] == "social_live_platform"
    assert "网络经营场所、商品浏览、订单生成、在线支付" in q.questions["social_live_provider"].text


@pytest.mark.parametrize("name", FILES)
def test_references_to_other_questionnaires_exist(questionnaires, name):
    """Outcomes point to follow-up questionnaires by id (e.g. “可使用……问卷 platform_duties”); the ids must exist."""
    q = questionnaires[name]
    texts = [text for node in q.outcomes.values() for text in (node.explanation, *node.obligations)]
    texts += [text for node in q.questions.values() for text in (node.text, node.why)]
    for text in texts:
        for word in re.findall(r"[a-z][a-z_]{2,}", text):
            assert word in questionnaires, f"{name}: {word!r} in {text!r} is not a questionnaire id"
