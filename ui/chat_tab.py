"""The 咨询 tab: multi-turn chat with citation chips, quick replies for the question a decided answer asks,
related questions, 👍/👎 (with an optional reason), and the link to the suggested self-assessment.

Every turn calls `Snapshot.ask` (the same function as the CLI and `POST /api/v1/ask`). After an answer arrives the
page scrolls to the *start* of it (`static/chat-scroll.js`), not to the bottom, so a phone shows the answer first.
"""

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant import metrics
from assistant.errors import AssistantError
from assistant.feedback import REASONS, FeedbackStore
from assistant.live import Live
from ui.render import answer_message

EXAMPLES = [
    "我在朋友圈卖蛋糕要办营业执照吗？",
    "个人网店一年卖6万元需要登记吗？",
    "直播带货要展示哪些信息？",
    "平台要保存交易信息多久？",
    "自动续费要提前提醒消费者吗？",
]
PLACEHOLDER = "例如：朋友圈卖货要办执照吗？"
MONEY_PLACEHOLDER = "请输入金额，例如：一年卖12万、8万、超过10万"
MAX_QUICK = 6    # quick-reply buttons for the options of the question a decided answer asks
MAX_RELATED = 3
SCROLL_JS = (Path(__file__).resolve().parent / "static" / "chat-scroll.js").read_text(encoding="utf-8")


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    turns: gr.State
    question: gr.Textbox
    send: gr.Button
    quick: list
    related_label: gr.Markdown
    related: list
    reason_row: gr.Row
    reasons: list
    disliked: gr.State
    start: gr.Button
    suggestion: gr.State
    clear: gr.Button


def build() -> ChatTab:
    """Lay out the tab (inside the caller's gr.Tab)."""
    turns = gr.State([])
    chatbot = gr.Chatbot(label="咨询对话", show_label=False, height=480, elem_id="chat", autoscroll=False,
                         examples=[{"text": q} for q in EXAMPLES], buttons=["copy"],
                         placeholder="**您好！** 请用自己的话描述您的问题，或点击下面的示例问题。",
                         feedback_options=("Like", "Dislike"), sanitize_html=True)
    with gr.Row(visible=False, elem_id="dislike-reason") as reason_row:
        gr.Markdown("这个回答哪里不好？（可选，点一下即可）", elem_classes=["reason-prompt"])
        reasons = [gr.Button(reason, size="sm", scale=0, min_width=72, elem_classes=["reason"]) for reason in REASONS]
    with gr.Row(elem_id="quick-replies"):
        quick = [gr.Button("", visible=False, size="sm", elem_classes=["quick-reply"]) for _ in range(MAX_QUICK)]
    with gr.Row(equal_height=True, elem_id="ask-row"):
        question = gr.Textbox(label="您的问题", placeholder=PLACEHOLDER, scale=5, max_lines=4, elem_id="question",
                              autofocus=False)
        send = gr.Button("发送", variant="primary", scale=1, min_width=72, elem_id="send")
    related_label = gr.Markdown("**相关问题：**", visible=False, elem_id="related-label")
    with gr.Row(elem_id="related"):
        related = [gr.Button("", visible=False, size="sm", elem_classes=["related"]) for _ in range(MAX_RELATED)]
    start = gr.Button("", visible=False, variant="secondary", elem_id="start-assessment")
    suggestion = gr.State(None)
    disliked = gr.State(None)
    clear = gr.Button("清空对话", size="sm", elem_id="clear-chat")
    return ChatTab(chatbot, turns, question, send, quick, related_label, related, reason_row, reasons, disliked,
                   start, suggestion, clear)


def wire(tab: ChatTab, live: Live, feedback: FeedbackStore) -> None:
    """Connect the chat's events (the 开始自查 button is wired by the app, which knows both tabs)."""
    outputs = [tab.question, tab.chatbot, tab.turns, tab.related_label, *tab.related, tab.start, tab.suggestion,
               *tab.quick, tab.reason_row]

    def respond(text, messages, turns):
        text = (text or "").strip()
        if not text:
            raise gr.Error("问题不能为空，请输入您想咨询的内容。", title="出错了")
        snapshot = live.snapshot()
        try:
            result = snapshot.ask(text, history=[t["question"] for t in turns])
        except AssistantError as exc:
            raise gr.Error(exc.user_message, title="出错了") from None
        metrics.answered(result)
        if feedback.record_answer(result, source="ui") is not None:
            metrics.FEEDBACK.labels("unanswered").inc()
        messages = list(messages or []) + [{"role": "user", "content": text},
                                           {"role": "assistant", "content": answer_message(result)}]
        turns = list(turns) + [{"question": text, "answer": result["answer"],
                                "corpus_version": result["corpus_version"]}]
        rel = (result.get("related") or [])[:MAX_RELATED]
        suggested = suggestion(result, snapshot)
        asked = asked_next(result)
        options = asked["options"] if asked else []
        hint = MONEY_PLACEHOLDER if asked and asked["type"] == "number" else PLACEHOLDER
        return {tab.question: gr.update(value="", placeholder=hint), tab.chatbot: messages, tab.turns: turns,
                tab.related_label: gr.update(visible=bool(rel)),
                **{b: gr.update(value=rel[i], visible=True) if i < len(rel) else gr.update(value="", visible=False)
                   for i, b in enumerate(tab.related)},
                tab.start: (gr.update(value=f"开始自查：{suggested['title']}（已填入对话中的信息，可修改）", visible=True)
                            if suggested else gr.update(visible=False)),
                tab.suggestion: suggested,
                **{b: gr.update(value=options[i]["label"], visible=True) if i < len(options)
                   else gr.update(value="", visible=False) for i, b in enumerate(tab.quick)},
                tab.reason_row: gr.update(visible=False)}

    def scrolled(event):
        event.then(None, [tab.chatbot], None, js=SCROLL_JS)

    scrolled(tab.question.submit(respond, [tab.question, tab.chatbot, tab.turns], outputs))
    scrolled(tab.send.click(respond, [tab.question, tab.chatbot, tab.turns], outputs))
    for button in [*tab.related, *tab.quick]:
        scrolled(button.click(respond, [button, tab.chatbot, tab.turns], outputs))

    def example(evt: gr.SelectData, messages, turns):
        value = getattr(evt, "value", None)  # None when the route is called without event data
        value = value.get("text") if isinstance(value, dict) else value
        if not isinstance(value, str):
            raise gr.Error("没有选中示例问题。", title="出错了")
        return respond(value, messages, turns)

    scrolled(tab.chatbot.example_select(example, [tab.chatbot, tab.turns], outputs))

    def rate(evt: gr.LikeData, turns):
        index = getattr(evt, "index", None)  # None when the route is called without event data
        index = index[0] if isinstance(index, (list, tuple)) and index else index
        turns = turns if isinstance(turns, list) else []
        turn = turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None
        if turn is None or getattr(evt, "liked", None) not in (True, False):
            return {tab.reason_row: gr.update(visible=False), tab.disliked: None}
        row = feedback.add("up" if evt.liked else "down", turn["question"], answer=turn["answer"],
                           corpus_version=turn["corpus_version"], source="ui")
        metrics.FEEDBACK.labels("up" if evt.liked else "down").inc()
        if evt.liked:
            gr.Info("感谢反馈！", title="提示")
            return {tab.reason_row: gr.update(visible=False), tab.disliked: None}
        return {tab.reason_row: gr.update(visible=True), tab.disliked: row}

    tab.chatbot.like(rate, [tab.turns], [tab.reason_row, tab.disliked])

    for button, reason in zip(tab.reasons, REASONS):
        def give_reason(row, reason=reason):
            if row is not None:
                feedback.set_reason(row, reason)
            gr.Info("感谢反馈，我们会据此改进回答。", title="提示")
            return {tab.reason_row: gr.update(visible=False), tab.disliked: None}

        button.click(give_reason, [tab.disliked], [tab.reason_row, tab.disliked])

    def clear_chat():
        return {tab.chatbot: [], tab.turns: [], tab.related_label: gr.update(visible=False),
                **{b: gr.update(visible=False) for b in [*tab.related, *tab.quick]},
                tab.start: gr.update(visible=False), tab.suggestion: None, tab.reason_row: gr.update(visible=False),
                tab.question: gr.update(value="", placeholder=PLACEHOLDER)}

    tab.clear.click(clear_chat, None, outputs)
    tab.chatbot.clear(clear_chat, None, outputs)


def asked_next(result: dict) -> dict | None:
    """The question a decided chat answer asks next (its options become quick replies), if any."""
    assessment = result.get("assessment")
    if assessment and assessment.get("decides") and assessment.get("next"):
        return assessment["next"]
    return None


def suggestion(result: dict, snapshot) -> dict | None:
    """The self-assessment the answer leads to, with the answers read from the chat (the widget does the same):
    the `assessment` block when there is one, else `suggested_assessment` + `prefill` of older answers."""
    assessment = result.get("assessment") or {}
    suggested = result.get("suggested_assessment")
    qid = assessment.get("id") or (suggested.get("id") if isinstance(suggested, dict) else suggested)
    if not qid or qid not in snapshot.questionnaires:
        return None
    prefill = assessment.get("answers") if assessment.get("id") == qid else None
    if prefill is None:
        prefill = (suggested.get("prefill") if isinstance(suggested, dict) else None) or result.get("prefill") or {}
    keys = snapshot.questionnaires[qid].keys
    return {"id": qid, "title": snapshot.questionnaires[qid].title,
            "prefill": {k: v for k, v in prefill.items() if k in keys and v not in (None, "")}}
