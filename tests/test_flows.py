"""The questionnaire engine: the result contract, answer parsing, pruning, bad answers, verification ids, reports."""

import dataclasses
import datetime
import json
import re

import pytest

from assistant.errors import QuestionnaireError, UnknownQuestionnaire
from assistant.flows import assess, get_questionnaire, normalise_answers, verification_id
from assistant.report import DISCLAIMER, render_report

RESULT_KEYS = {"questionnaire", "status", "next", "outcome", "path", "law_version", "corpus_version", "ignored",
               "skipped"}
EXEMPT_OTHER = {"operator": "individual", "activity": "other", "license_required": "no", "annual_turnover": 60000}


@pytest.fixture(scope="session")
def registration(questionnaires):
    return questionnaires["registration"]


def test_first_call_returns_the_start_question(registration, corpus):
    result = assess(registration, {}, corpus)
    assert set(result) == RESULT_KEYS, result
    assert result["status"] == "need_more" and result["outcome"] is None
    assert result["next"] == {
        "id": "operator", "text": registration.questions["operator"].text, "type": "choice",
        "options": [{"id": "individual", "label": "个人，尚未办理市场主体登记"},
                    {"id": "registered", "label": "已经登记的企业、个体工商户或者农民专业合作社"},
                    {"id": "organisation", "label": "公司、企业等单位（尚未设立登记）"}],
        "why": registration.questions["operator"].why}
    assert result["path"] == [] and result["ignored"] == []
    assert result["law_version"] == "2025-03-18" and result["corpus_version"] == corpus.version
    json.dumps(result)  # the same dict serves CLI --json and the API


def test_number_question_carries_its_unit(registration, corpus):
    result = assess(registration, {k: v for k, v in EXEMPT_OTHER.items() if k != "annual_turnover"}, corpus)
    assert result["next"]["id"] == "annual_turnover" and result["next"]["type"] == "number", result["next"]
    assert result["next"]["options"] == [] and result["next"]["unit"] == "元"
    assert "unit" not in assess(registration, {}, corpus)["next"]


def test_complete_result_has_outcome_path_and_citations(registration, corpus):
    result = assess(registration, EXEMPT_OTHER, corpus)
    assert result["status"] == "complete" and result["next"] is None, result
    outcome = result["outcome"]
    assert set(outcome) == {"id", "title", "explanation", "obligations", "citations", "self_declaration"}
    assert outcome["id"] == "exempt"
    assert outcome["self_declaration"] == "个人从事零星小额交易活动，依法不需要办理市场主体登记"
    assert {"source": "measures", "article": 12, "paragraph": 3,
            "label": "《网络交易监督管理办法》第十二条第三款"} in outcome["citations"]
    assert [step["question"] for step in result["path"]] == ["operator", "activity", "license_required",
                                                             "annual_turnover"]
    last = result["path"][-1]
    assert last == {"question": "annual_turnover", "text": registration.questions["annual_turnover"].text,
                    "answer": 60000, "answer_label": "60,000 元（不超过10万元）",
                    "cites": ["《网络交易监督管理办法》第八条第三款"]}, last


def test_outcome_without_statement_has_no_self_declaration_key(registration, corpus):
    outcome = assess(registration, {"operator": "registered"}, corpus)["outcome"]
    assert "self_declaration" not in outcome, outcome


@pytest.mark.parametrize("value", [60000, 60000.0, "60000", " 60000 ", "60,000", "60000.00"])
def test_number_answers_accept_numbers_and_strings(registration, corpus, value):
    result = assess(registration, {**EXEMPT_OTHER, "annual_turnover": value}, corpus)
    assert result["outcome"]["id"] == "exempt", result
    assert result["path"][-1]["answer"] == 60000


@pytest.mark.parametrize("value", ["no", "NO", False, "false", "否", " no "])
def test_yes_no_answers_accept_booleans_and_chinese(registration, corpus, value):
    result = assess(registration, {**EXEMPT_OTHER, "license_required": value}, corpus)
    assert result["path"][2]["answer"] == "no", result["path"]


@pytest.mark.parametrize("value", ["yes", True, "true", "是", "Yes"])
def test_yes_answers(registration, corpus, value):
    result = assess(registration, {"operator": "individual", "activity": "other", "license_required": value}, corpus)
    assert result["outcome"]["id"] == "register_required", result


def test_none_and_empty_string_mean_unanswered(registration, corpus):
    result = assess(registration, {"operator": "individual", "activity": None, "annual_turnover": ""}, corpus)
    assert result["status"] == "need_more" and result["next"]["id"] == "activity", result
    assert result["ignored"] == []


class TestPruning:
    """Changing an earlier answer drops the answers that are no longer on the path."""

    def test_switching_to_registered_ignores_turnover(self, registration, corpus):
        result = assess(registration, {**EXEMPT_OTHER, "operator": "registered"}, corpus)
        assert result["outcome"]["id"] == "registered", result
        assert result["ignored"] == ["activity", "license_required", "annual_turnover"]
        assert [step["question"] for step in result["path"]] == ["operator"]

    def test_switching_to_convenience_labor_drops_turnover(self, registration, corpus):
        answers = {**EXEMPT_OTHER, "activity": "convenience_labor", "annual_turnover": 5_000_000}
        result = assess(registration, answers, corpus)
        assert result["outcome"]["id"] == "exempt" and result["ignored"] == ["annual_turnover"], result
        assert result["outcome"]["self_declaration"].startswith("个人利用自己的技能从事依法无须取得许可的便民劳务活动")

    def test_stale_statement_never_leaks(self, registration, corpus):
        result = assess(registration, {**EXEMPT_OTHER, "activity": "own_farm_products"}, corpus)
        assert result["outcome"]["self_declaration"] == "个人销售自产农副产品，依法不需要办理市场主体登记"
        assert result["ignored"] == ["annual_turnover"], result  # the licence is asked of own produce too

    def test_pruned_answers_do_not_change_the_verification_id(self, registration, corpus):
        pruned = assess(registration, {**EXEMPT_OTHER, "operator": "registered"}, corpus)
        clean = assess(registration, {"operator": "registered"}, corpus)
        assert verification_id(pruned) == verification_id(clean)


class TestBadAnswers:
    def test_unknown_question_id_names_the_known_ones(self, registration, corpus):
        with pytest.raises(QuestionnaireError) as err:
            assess(registration, {"operator": "individual", "turnover": 5}, corpus)
        message = str(err.value)
        assert "turnover" in message and "annual_turnover" in message and "没有问题" in message, message
        assert "Unknown question" in message, message

    def test_unknown_option_names_the_valid_options(self, registration, corpus):
        with pytest.raises(QuestionnaireError) as err:
            assess(registration, {"operator": "company"}, corpus)
        message = str(err.value)
        assert "'company'" in message and "individual" in message and "registered" in message, message
        assert "无效" in message and "valid options" in message, message

    @pytest.mark.parametrize("value", [-5, "-5", "abc", "nan", "NaN", "inf", float("nan"), float("inf"), True, "1e5",
                                       "5万还是15万", pytest.param("9" * 5000, id="5000-digit-text"),
                                       pytest.param(10 ** 5000, id="5000-digit-int"), [], {}])
    def test_invalid_numbers(self, registration, corpus, value):
        with pytest.raises(QuestionnaireError) as err:
            assess(registration, {**EXEMPT_OTHER, "annual_turnover": value}, corpus)
        assert "annual_turnover" in str(err.value) and "non-negative number" in str(err.value), str(err.value)
        zh = str(err.value).split("/ Invalid")[0]
        assert "您一年的交易额" in zh and "annual_turnover" not in zh, zh  # users see the question, not its id

    @pytest.mark.parametrize("value, expected", [("12万", 120000), ("十二万", 120000), ("1.2万", 12000),
                                                 ("120,000", 120000), ("10w", 100000), ("九万九", 99000)])
    def test_money_as_people_write_it(self, registration, corpus, value, expected):
        result = assess(registration, {**EXEMPT_OTHER, "annual_turnover": value}, corpus)
        assert result["path"][-1]["answer"] == expected, result["path"][-1]

    @pytest.mark.parametrize("value, outcome", [("超过10万", "register_required"), ("十万多", "register_required"),
                                                ("10万出头", "register_required"), ("不到10万", "exempt")])
    def test_bounds_decide_when_they_are_on_one_side(self, registration, corpus, value, outcome):
        assert assess(registration, {**EXEMPT_OTHER, "annual_turnover": value}, corpus)["outcome"]["id"] == outcome

    def test_amount_on_both_sides_of_the_line_is_asked_again(self, registration, corpus):
        result = assess(registration, {**EXEMPT_OTHER, "annual_turnover": "10万左右"}, corpus)
        assert result["status"] == "need_more" and result["next"]["id"] == "annual_turnover", result
        assert "10万左右" in result["next"]["unclear"] and "不超过10万元" in result["next"]["unclear"]

    @pytest.mark.parametrize("value", ["maybe", 1, "y"])
    def test_invalid_yes_no(self, registration, corpus, value):
        with pytest.raises(QuestionnaireError, match="license_required.*yes.*no"):
            assess(registration, {**EXEMPT_OTHER, "license_required": value}, corpus)

    def test_invalid_value_off_the_path_is_still_an_error(self, registration, corpus):
        """Documented choice: a bad prefilled answer fails at once instead of waiting for an earlier answer to
        change and bring it onto the path."""
        with pytest.raises(QuestionnaireError, match="annual_turnover"):
            assess(registration, {"operator": "registered", "annual_turnover": "abc"}, corpus)

    def test_answers_must_be_a_mapping(self, registration, corpus):
        with pytest.raises(QuestionnaireError, match="mapping"):
            assess(registration, ["operator"], corpus)

    def test_unknown_questionnaire(self, questionnaires):
        with pytest.raises(UnknownQuestionnaire, match="registration"):
            get_questionnaire(questionnaires, "registrations")
        assert get_questionnaire(questionnaires, "registration").id == "registration"


class TestVerificationId:
    def test_is_16_hex_digits_and_stable(self, registration, corpus):
        first = verification_id(assess(registration, EXEMPT_OTHER, corpus))
        assert re.fullmatch(r"[0-9a-f]{16}", first), first
        assert verification_id(assess(registration, {**EXEMPT_OTHER, "annual_turnover": "60,000"}, corpus)) == first

    def test_changes_with_answers_and_versions(self, registration, corpus):
        result = assess(registration, EXEMPT_OTHER, corpus)
        other = assess(registration, {**EXEMPT_OTHER, "annual_turnover": 60001}, corpus)
        assert verification_id(result) != verification_id(other)
        assert verification_id(result) != verification_id({**result, "corpus_version": "000000000000"})
        assert verification_id(result) != verification_id({**result, "law_version": "2030-01-01"})


def test_progress_counts_answered_and_longest_remaining(registration):
    assert registration.progress({}) == (0, 4)
    assert registration.progress({"operator": "individual", "activity": "convenience_labor"}) == (2, 3)
    assert registration.progress({"operator": "registered"}) == (1, 1)


def test_normalise_answers_returns_canonical_values(registration):
    values = normalise_answers(registration, {"license_required": "是", "annual_turnover": "100,000.50"})
    assert values == {"license_required": "yes", "annual_turnover": __import__("decimal").Decimal("100000.50")}


class TestReport:
    TODAY = datetime.date(2025, 6, 1)

    def test_markdown_report(self, registration, corpus):
        answers = {**EXEMPT_OTHER, "operator": "individual"}
        result = assess(registration, answers, corpus)
        text = render_report(result, registration, corpus, "md", answers, today=self.TODAY)
        for expected in ("网络交易合规自查报告", registration.title, "2025-06-01", "2025-03-18", corpus.version,
                         verification_id(result), "60,000 元（不超过10万元）", "个人从事零星小额交易活动，依法不需要办理市场主体登记",
                         "- [ ] 首次纳税义务发生后", DISCLAIMER, "仅供参考，不构成法律意见"):
            assert expected in text, expected
        # the full text of every cited article, not just the cited paragraph
        article12 = corpus.article("measures", 12)
        for paragraph in article12.paragraphs:
            for line in paragraph.full_text.split("\n"):
                assert f"> {line}" in text, line
        assert corpus.article("ecommerce_law", 11).cited_text(2) in text

    def test_markdown_lists_ignored_answers(self, registration, corpus):
        answers = {**EXEMPT_OTHER, "operator": "registered"}
        text = render_report(assess(registration, answers, corpus), registration, corpus, "md", answers)
        assert "未影响结果" in text and "（60000）" in text, text

    def test_html_report_is_self_contained_and_escaped(self, registration, corpus):
        hostile = dataclasses.replace(registration, title="<script>alert(1)</script> & 标题")
        result = assess(hostile, {"operator": "registered"}, corpus)
        page = render_report(result, hostile, corpus, "html", today=self.TODAY)
        assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
        assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 标题" in page
        for external in ("<link", "src=", "url(", "http://", "https://", "@import"):
            assert external not in page, external
        assert "@media print" in page and DISCLAIMER in page
        assert "统一社会信用代码、名称、企业类型" in page

    def test_report_of_unfinished_questionnaire(self, registration, corpus):
        result = assess(registration, {"operator": "individual"}, corpus)
        text = render_report(result, registration, corpus, "md")
        assert "问卷尚未完成" in text and registration.questions["activity"].text in text, text

    def test_unknown_format(self, registration, corpus):
        with pytest.raises(ValueError, match="pdf"):
            render_report(assess(registration, {}, corpus), registration, corpus, "pdf")
