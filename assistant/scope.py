"""Scope, three ways: the Measures answer the question (covered), touch it without settling it (partial: tax,
七日无理由退货, a platform's own rules …), or do not deal with it at all (not_covered).

Out-of-scope topics (corpus/out_of_scope.yaml) compete in the ranking with what the corpus answers. A topic wins
when its best example scores within `margin` of the best covered unit: an adjacent question ("淘宝刷单规则是什么")
must not be answered as covered just because a loosely related article ("刷单违法吗") scores a little higher. A
topic with `related` provisions makes the answer partial; below the answer threshold nothing is covered. The
margin is calibrated on the evaluation sets (`assistant eval --calibrate`), not on single questions.

Similarity alone cannot tell "开网店要办营业执照吗" (Art. 8 answers it) from "网店营业执照怎么办理" (the
registration procedure, which the Measures leave to the registration rules): both are closest to the same article.
A topic may therefore declare `asks`, patterns of what a question asks when it asks for the topic's subject (a
procedure, a tax amount, a platform's own rule, a criminal sentence); such a question takes the topic's scope.
"""

import re
from dataclasses import dataclass

from assistant.corpus import Corpus, OutOfScopeTopic
from assistant.retrieve import Ranking

SCOPES = ("covered", "partial", "not_covered")
TOPIC_FLOOR = 0.2  # an out-of-scope topic's referral is shown (and can decide) only when it matches at least this well
# A match that contains nearly all of the question's informative words is covered even when the (weak, short-text)
# dense signal is unsure: "这个办法是从什么时候开始施行的" against "《网络交易监督管理办法》什么时候开始施行".
LEXICAL_CONFIDENT = 0.6


@dataclass(frozen=True)
class Scope:
    """Which of the three ways, the out-of-scope topic that decided it (if any), and how confident the match is."""

    kind: str
    topic: OutOfScopeTopic | None = None
    confident_topic: bool = False  # the topic matched well enough to show its referral
    asked: bool = False  # the question asks for the topic's subject (its `asks` patterns), not just resembles it


def scope_of(ranking: Ranking, corpus: Corpus, threshold: float, margin: float, text: str = "") -> Scope:
    asked = corpus.topics_asked(text) if text else []
    if asked:
        # Of several topics asked for ("个体户注销要交税吗"), the one whose examples the question is closest to.
        scores = {u.id: u.score for u in ranking.units if u.id.startswith("oos:")}
        asked = max(asked, key=lambda t: scores.get(f"oos:{t.id}", -1.0))
        return Scope("partial" if asked.related else "not_covered", asked, True, asked=True)
    covered = next((u for u in ranking.units if not u.id.startswith("oos:")), None)
    anchor = next((u for u in ranking.units if u.id.startswith("oos:")), None)
    topic = corpus.unit(anchor.id) if anchor is not None else None
    confident = anchor is not None and anchor.score >= max(threshold, TOPIC_FLOOR)
    if anchor is not None and confident and (covered is None or anchor.score >= covered.score - margin) \
            and not _asks_lawfulness_of_a_related_duty(text, covered, topic):
        return Scope("partial" if topic.related else "not_covered", topic, True)
    if covered is None or (covered.score < threshold and covered.best.lexical < LEXICAL_CONFIDENT):
        return Scope("not_covered", topic, confident)
    return Scope("covered")


_LAWFUL = re.compile(r"合法|违法|违规|犯法|允许|可以吗|行吗|算不算")


def _asks_lawfulness_of_a_related_duty(text: str, covered, topic) -> bool:
    """"自动续费都没提醒我，这合法吗" resembles the topic of how to cancel a subscription, but asks whether the conduct
    is lawful, which the duty the topic relates to (Art. 18) settles: a topic matched by resemblance alone does not
    take such a question when the best covered unit rests on one of the topic's related articles."""
    if covered is None or not text or not topic.related or not _LAWFUL.search(text):
        return False
    related = {f"{c.source}:{c.article}" for c in topic.related}
    return any(":".join(c.split(":")[:2]) in related for c in covered.cites[:1])
