"""Decide with a questionnaire: which one a conversation is about, the facts it states, and the engine's result.

A question such as "个人网店一年卖6万元需要登记吗？" is not answered by the nearest FAQ text but by running the
questionnaire that decides it on the facts the merchant stated (this turn and the turns before it). The engine then
either reaches an outcome (the answer leads with it) or names the next question (the answer states the rule and
asks it, so the chat becomes the questionnaire, one turn at a time). Questions that ask something else (the penalty,
a deadline, a definition) keep their retrieved answer and are only offered the questionnaire.
"""

import re
from dataclasses import dataclass

from assistant.corpus import Corpus
from assistant.facts import Reading, is_reply, read, read_conversation, reply_like
from assistant.flows import Questionnaire, assess
from assistant.followup import is_elliptical
from assistant.intent import Intent, clauses, recognise




@dataclass(frozen=True)
class Topic:
    """The questionnaire an earlier turn was about, whether that turn was decided by it, and where it started."""

    questionnaire: Questionnaire | None
    decides: bool
    anchor: int


@dataclass
class Decision:
    """A questionnaire applied to a conversation: the facts read, the engine's result, and whether it decides."""

    questionnaire: Questionnaire
    reading: Reading
    result: dict
    decides: bool

    def to_json(self) -> dict:
        """The `assessment` field of the ask JSON."""
        result, outcome, step = self.result, self.result["outcome"], self.result["next"]
        return {
            "id": self.questionnaire.id,
            "title": self.questionnaire.title,
            "status": result["status"],
            "decides": self.decides,
            "answers": self.reading.answers,
            "facts": [{"key": f.key, "answer": f.answer, "words": f.words, "turn": f.turn,
                       **({"note": f.note} if f.note else {})} for f in self.reading.facts.values()],
            "outcome": {"id": outcome["id"], "title": outcome["title"]} if outcome else None,
            "next": None if step is None else {k: step[k] for k in ("id", "text", "type", "options", "unit", "unclear")
                                               if k in step},
            "skipped": result["skipped"],
            "cautions": [text for _, text in self.reading.cautions],
            "unclear": [_plain(u) for u in self.reading.unclear],
        }


def _plain(note: str) -> str:
    return re.sub(r"^\[[a-z_]+\]", "", note)


def suggest(articles: list[str], questionnaires: dict[str, Questionnaire]) -> Questionnaire | None:
    """The questionnaire that declares (`suggest_for`) the article ranked first ("source:article[:paragraph]")."""
    if not articles:
        return None
    source, article = articles[0].split(":")[:2]
    for questionnaire in questionnaires.values():
        if any((c.source, c.article) == (source, int(article)) for c in questionnaire.suggest_for):
            return questionnaire
    return None


def on_topic(text: str, questionnaires: dict[str, Questionnaire]) -> Questionnaire | None:
    """A questionnaire the question names (`topic_cues`: 营业执照, 登记 …) and states facts for, whatever article
    ranks first: "进货来卖，每天卖三百，要办营业执照吗" is a registration question."""
    lowered = text.lower()
    for questionnaire in questionnaires.values():
        if any(cue.lower() in lowered for cue in questionnaire.topic_cues):
            reading = read(text, questionnaire)
            if reading.facts or reading.unclear:
                return questionnaire
    return None


def wants_decision(text: str, intent: Intent, current: Reading, questionnaire: Questionnaire,
                   ranked_first: bool) -> bool:
    """Whether a new question (not a reply) is one its questionnaire decides.

    Facts about the case beyond the first question (一年卖6万, 修空调, 代购) make it one, whether or not it says
    "must I". Otherwise it must ask "must I / may I", state at least one fact, and be about the provision the
    questionnaire decides (the best retrieved article is one it declares): "办个体户能不能拿租的房子当住所" asks
    about Art. 9, not whether to register, and "我们群发优惠短信要先取得同意吗" asks for Art. 16, which a compliance
    check would only ask back. (`ranked_first` is also true when nothing in the corpus answers the question.)
    """
    start = questionnaire.questions[questionnaire.start].key
    if intent.kind in ("decision", "other") and any(key != start for key in current.facts):
        # A statement of facts is one; a question is one where its answer rests on the questionnaire's provisions.
        # "超过十万没办执照，平台会提醒我吗" asks what the platform does (Art. 24), "…加起来超了，要办执照不" asks to register.
        statement = intent.kind == "other" and not intent.yes_no and "?" not in text
        return statement or ranked_first or any(
            recognise(clause).decides and any(cue.lower() in clause.lower() for cue in questionnaire.topic_cues)
            for clause in clauses(text))
    return intent.decides and bool(current.facts or current.unclear) and ranked_first


def asks(text: str) -> bool:
    """Whether a turn asks something (its last clause has question words or a question mark), not just states."""
    parts = clauses(text)
    last = recognise(parts[-1]) if parts else None
    return "?" in text or last is None or last.kind != "other" or bool(re.search(r"[吗呢么]\s*$", parts[-1]))


def decide(questionnaires: dict[str, Questionnaire], corpus: Corpus, text: str, turns: list[str], intent: Intent,
           suggested: Questionnaire | None, topic: Topic | None, ranked: Questionnaire | None = None,
           covered: bool = True, asks_other: bool = False) -> Decision | None:
    """The questionnaire this turn is about and its result on the conversation's facts; None if none applies.

    `turns` are the user's earlier turns (oldest first), `suggested` the questionnaire the retrieved articles point
    to, `topic` what the latest earlier non-reply turn was about (see KnowledgeBase.topic), `ranked` the
    questionnaire the best retrieved article belongs to, `covered` whether the corpus answers the question itself
    (when it does not, a questionnaire the question names may decide it), `asks_other` whether the question asks
    for a subject the Measures leave to other rules ("个体户30万交不交个税": the tax, not whether to register), which a
    questionnaire's facts must not turn into its own decision; a reply to its pending question still decides.
    """
    questionnaire, decides, replies_from, unread = suggested, False, len(turns), None
    if topic is not None and topic.questionnaire is not None:
        _, pending = read_conversation(turns[topic.anchor:], topic.questionnaire)
        if is_reply(text, pending):  # a quick reply to the question asked last: the chat is the questionnaire
            questionnaire, decides = topic.questionnaire, True
        elif looks_like_reply(text, {topic.questionnaire.id: topic.questionnaire}):
            # A reply to one of its earlier questions ("个人，没办" when it asks the activity): it goes on, asking again.
            questionnaire, decides = topic.questionnaire, True
        elif suggested in (None, topic.questionnaire) and is_elliptical(text):  # 那如果超过10万呢？
            questionnaire, decides = topic.questionnaire, topic.decides
        elif suggested in (None, topic.questionnaire) and read(text, topic.questionnaire).facts and not asks_other:
            # 一年卖12万元; but "怎么办理营业执照" asks for the procedure, though 办理营业执照 reads as a fact
            questionnaire, decides = topic.questionnaire, topic.decides
        elif suggested in (None, topic.questionnaire) and pending is not None and not asks(text):
            # "卖手机壳", "应该不用吧" while a question is pending: an answer it cannot read, not a new question. The
            # question is asked again, saying so, rather than the chat leaving the check with "not covered".
            questionnaire, decides, unread = topic.questionnaire, True, pending
        if questionnaire is topic.questionnaire:
            replies_from = topic.anchor
    if questionnaire is None:
        return None
    # Earlier statements count as facts; replies are matched from where this questionnaire's topic started.
    reading = read_conversation(turns[:replies_from], questionnaire, replies=False)[0] if replies_from else Reading()
    reading.merge(read_conversation([*turns[replies_from:], text], questionnaire)[0])
    if unread is not None and unread.key not in reading.facts:
        reading.unclear.append(f"[{unread.key}]没能从“{text.strip()}”读出这个问题的答案，请选择下面的一项，或者换个说法。")
    decides = decides or not asks_other and wants_decision(text, intent, read(text, questionnaire), questionnaire,
                                                           ranked is questionnaire or not covered)
    return Decision(questionnaire, reading, _assess(questionnaire, reading, corpus), decides)


def _assess(questionnaire: Questionnaire, reading: Reading, corpus: Corpus) -> dict:
    """The engine on the facts; a fact the engine rejects (it never should) is dropped rather than failing the answer."""
    from assistant.errors import QuestionnaireError

    while True:
        try:
            return assess(questionnaire, reading.answers, corpus)
        except QuestionnaireError:
            if not reading.facts:
                raise
            reading.facts.popitem()


def looks_like_reply(text: str, questionnaires: dict[str, Questionnaire]) -> bool:
    """A turn that only answers a question (an option label, 是/否, an amount), so the topic is set before it."""
    return any(reply_like(text, q) for questionnaire in questionnaires.values()
               for q in questionnaire.questions.values())

