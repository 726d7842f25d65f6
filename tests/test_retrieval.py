"""Retrieval with the real default encoder: regression gate on the dev set, refusals, follow-ups, citations."""

from pathlib import Path

import pytest

from assistant.evaluate import evaluate, load_eval_set
from assistant.knowledge import KnowledgeBase

EVAL = Path(__file__).resolve().parents[1] / "eval"
DEV = EVAL / "dev.yaml"

# Gate: a corpus or code change that drops retrieval or answer quality below these fails CI, on the hand-written
# set and on the real-world set. Measured values are in the README; the gate sits a little below them so unrelated
# edits do not flap. "max" metrics must stay at or below the value.
GATE = {
    "dev.yaml": {"recall@1": 0.89, "recall@3": 0.97, "mrr": 0.93, "answered": 0.92, "refused": 0.95,
                 "primary@1": 0.83, "citation_precision": 0.80},
    "real.yaml": {"recall@1": 0.85, "recall@3": 0.92, "mrr": 0.89, "primary@1": 0.55, "citation_precision": 0.78},
}
MAX = {"dev.yaml": {"citations_per_answer": 2.0, "out_of_scope_as_covered": 0.05},
       "real.yaml": {"citations_per_answer": 2.0, "out_of_scope_as_covered": 0.11}}


@pytest.fixture(scope="module")
def reports(kb):
    return {name: evaluate(kb, load_eval_set(EVAL / name)) for name in GATE}


@pytest.mark.parametrize("name, metric", [(n, m) for n, gate in GATE.items() for m in sorted(gate)])
def test_regression_gate(reports, name, metric):
    report = reports[name]
    assert report[metric] >= GATE[name][metric], f"{name} {metric} fell to {report[metric]}"


@pytest.mark.parametrize("name, metric", [(n, m) for n, gate in MAX.items() for m in sorted(gate)])
def test_regression_gate_maximum(reports, name, metric):
    report = reports[name]
    assert report[metric] <= MAX[name][metric], f"{name} {metric} rose to {report[metric]}"


def test_real_world_set_is_large_and_sourced():
    import yaml

    data = yaml.safe_load((EVAL / "real.yaml").read_text(encoding="utf-8"))
    assert len(data["in_scope"]) >= 100 and len(data["out_of_scope"]) >= 30
    assert all(item.get("source") for item in data["in_scope"] + data["out_of_scope"])
    assert all(item.get("primary") for item in data["in_scope"])


def test_hybrid_beats_or_matches_bm25(kb, settings):
    bm25 = KnowledgeBase.open(settings, mode="bm25")
    data = load_eval_set(DEV)
    assert evaluate(kb, data, answers=False)["mrr"] >= evaluate(bm25, data, answers=False)["mrr"]


@pytest.mark.parametrize("question, article", [
    ("我在朋友圈卖蛋糕要办营业执照吗？", 8),
    ("自动续费以前要提前五日提醒，现在呢？", 18),
    ("平台逼我二选一，不然就搜索降权", 32),
    ("直播带货的视频平台要保存多久", 20),
    ("店铺公告写最终解释权归本店所有，合法吗", 21),
])
def test_typical_questions_cite_the_right_article(kb, question, article):
    result = kb.ask(question)
    assert result["answered"], result
    assert result["citations"][0]["source"] == "measures" and result["citations"][0]["article"] == article, \
        [c["label"] for c in result["citations"]]


@pytest.mark.parametrize("question", ["今天北京天气怎么样", "红烧肉怎么做", "员工加班费怎么算", "离婚的时候房子怎么分"])
def test_out_of_scope_is_refused_without_sources(kb, question):
    result = kb.ask(question)
    assert result["answered"] is False, result["citations"]
    assert result["citations"] == [] and result["hits"] == []
    # The topic's own referral (12333 for labour, …), not a reflexive 12315 (review finding 10).
    assert "没有" in result["answer"] and "不构成法律意见" in result["answer"]
    assert result["scope"] == "not_covered"


def test_answer_shape(kb):
    result = kb.ask("刷单违法吗")
    assert set(result) >= {"question", "answered", "answer", "citations", "hits", "related", "corpus_version"}
    assert "仅供参考，不构成法律意见" in result["answer"]
    articles = [(c["source"], c["article"]) for c in result["citations"]]
    assert len(articles) == len(set(articles)), "citations must be distinct articles"
    scores = [c["score"] for c in result["citations"]]
    assert scores == sorted(scores, reverse=True)
    first = result["citations"][0]
    assert first["label"].startswith("《网络交易监督管理办法》第十四条") and first["text"]
    assert all({"id", "source", "kind", "score", "text"} <= set(h) for h in result["hits"])


def test_faq_answer_is_curated_text(kb):
    result = kb.ask("个人在网上卖东西，一年卖多少以内可以不办营业执照？")
    item_answers = {item.answer for item in kb.corpus.faq}
    assert result["basis"] == "faq"
    assert result["answer"].split("\n\n")[0] in item_answers


def test_follow_up_is_resolved_against_history(kb):
    alone = kb.ask("那如果超过10万呢？")
    followed = kb.ask("那如果超过10万呢？", history=[{"role": "user", "content": "我在朋友圈卖蛋糕要办营业执照吗"}])
    assert followed["answered"] and followed["citations"][0]["article"] in (8, 24), followed["citations"][:2]
    assert alone["citations"][:1] != followed["citations"][:1] or not alone["answered"]


def test_amendment_question_mentions_the_change(kb):
    result = kb.ask("自动续费以前要提前五日提醒，现在还是五天吗")
    assert result["citations"][0]["article"] == 18
    assert "五日" in result["answer"] or "前五日" in " ".join(h["text"] for h in result["hits"])


def test_long_and_mixed_input(kb):
    result = kb.ask("刷单" * 5000)
    assert "已截取前500字" in result["answer"]
    english = kb.ask("Do I need a business license to sell cakes on WeChat Moments?")
    assert isinstance(english["answered"], bool)


@pytest.mark.parametrize("question, scope, topic", [
    ("网店营业执照怎么办理", "partial", "registration-procedure"),      # the procedure, not whether to register
    ("个体户营业执照在哪里申请，要带什么材料", "partial", "registration-procedure"),
    ("淘宝开店一年要交多少税", "partial", "tax-rates-and-filing"),
    ("抖音小店被扣分了怎么申诉", "partial", "platform-own-rules"),
    ("爱奇艺的自动续费怎么取消", "partial", "cancel-subscription-howto"),
    ("网店营业执照要年检吗", "partial", "annual-report-inspection"),
    ("卖家给我开的发票抬头错了", "not_covered", "invoices"),
    ("天猫个人店和企业店有什么区别", "partial", "platform-features"),   # a platform's own features
    ("拼多多商家能看到买家的手机号吗", "partial", "platform-features"),
    ("在亚马逊开店要营业执照吗", "partial", "overseas-platforms"),
    ("用实体店的营业执照可以开网店吗", "partial", "registration-compliance"),
    ("店铺评分低会有什么影响", "partial", "platform-own-rules"),
    ("商家一直不发货怎么办", "partial", "delivery-disputes"),
    ("做刷单兼职犯法吗", "partial", "brushing-participants"),          # the 刷手, not the 经营者 Art. 14 binds
    ("自己做的辣椒酱在朋友圈卖，需要办什么证", "partial", "food-licence-procedure"),  # food, not the other licences
    ("没办执照会怎么样", "partial", "registration-compliance"),        # not the display (Art. 42) or platform penalty
    ("个人没办执照在网上卖了二十多万被查到了，要罚多少钱", "partial", "registration-compliance"),
    ("我没有营业执照，在两个平台开店，一共卖了十几万，会被处罚吗", "partial", "registration-compliance"),  # across clauses
    ("网上卖药品需要什么资质", "partial", "business-licences-other"),
    ("同样的机票老用户看到的价格更贵，这是杀熟吗", "not_covered", "price-discrimination"),
    ("开网约车要不要办营业执照", "partial", "ride-hailing-transport"),
    ("直播间卖冒牌货违法吗", "partial", "counterfeit-goods"),         # trademark and product quality law decide
])
def test_a_question_asking_for_an_adjacent_subject_is_not_covered(kb, question, scope, topic):
    result = kb.ask(question)
    assert result["scope"] == scope, result["answer"][:120]
    assert kb.corpus.unit(f"oos:{topic}").referral in result["answer"]


@pytest.mark.parametrize("question", ["开网店要办营业执照吗", "网店的营业执照要挂在哪里", "自动续费扣款前要提醒吗",
                                      "平台的交易规则修改要提前公示多久", "开网店要实名认证吗",
                                      "商家把买家的手机号卖给别人违法吗", "找人刷单犯法吗",
                                      "没挂营业执照会被罚吗", "平台明知商家卖假货不采取措施要担责吗",
                                      "视频会员自动续费了，扣款前都没提醒我，这合法吗"])  # Art. 18(1), not how to cancel
def test_the_same_subject_asked_the_way_the_measures_answer_it_stays_covered(kb, question):
    assert kb.ask(question)["scope"] == "covered"


def test_facts_in_a_question_about_another_subject_do_not_turn_it_into_a_registration_decision(kb):
    # 个体户 and 30万 are registration facts, but the question asks about tax: answered as the tax topic.
    result = kb.ask("我是个体户，去年卖了30万，要交多少个税")
    assert result["scope"] == "partial" and result["basis"] != "assessment", result["answer"][:120]
    assert kb.corpus.unit("oos:tax-rates-and-filing").referral in result["answer"]


def test_a_registration_question_with_a_tax_question_attached_is_still_decided(kb):
    # Two questions in one: the registration one is decided (farm produce: exempt), the tax one does not block it.
    result = kb.ask("卖自家种的橘子，不需要许可，要办执照吗，要交税不")
    assert result["basis"] == "assessment" and result["assessment"]["outcome"]["id"] == "exempt", result["answer"][:120]


@pytest.mark.parametrize("question, first", [
    ("发营销短信违法吗", 16),                # whether it is allowed: the duty, though the best FAQ is the penalty one
    ("卖家泄露客户信息触犯哪条法律", 13),
    ("违规发营销短信罚多少钱", 41),          # the penalty itself
])
def test_the_duty_ranks_before_its_penalty_unless_the_penalty_is_asked(kb, question, first):
    assert kb.rank(question).articles[0][0].split(":")[:2] == ["measures", str(first)]


def test_the_topic_inside_question_words_is_still_searched(kb):
    # "要实名认证吗" matches the question pattern 要…吗; 实名认证 is what it asks about (Art. 24 核验).
    articles = [key.split(":")[1] for key, _ in kb.rank("开网店要实名认证吗").articles[:3]]
    assert "24" in articles
