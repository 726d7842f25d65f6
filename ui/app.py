"""The Gradio UI (Simplified Chinese): 咨询 chat, 自查 self-assessment, 法规 browser; mounted at `/` by assistant.api.

Every handler takes the current snapshot from `Live` once and calls the same functions as the CLI and the JSON API.
Domain errors are shown as `gr.Error` (or a warning where the user can simply correct the input).
"""

import os
import tempfile
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no calls home, set before gradio is imported

import gradio as gr  # noqa: E402

from assistant.answer import DISCLAIMER  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.flows import assess, read_answer, verification_id  # noqa: E402
from assistant.live import Live  # noqa: E402
from ui.render import LAW_TABS, answer_message, esc, law_browser, outcome_card  # noqa: E402

EXAMPLES = [
    "我在朋友圈卖蛋糕要办营业执照吗？",
    "个人网店一年卖6万元需要登记吗？",
    "直播带货要展示哪些信息？",
    "平台要保存交易信息多久？",
    "自动续费要提前提醒消费者吗？",
]
PLACEHOLDER = "例如：朋友圈卖货要办执照吗？"
MONEY_PLACEHOLDER = "请输入金额，例如：一年卖12万、8万、超过10万"
MAX_QUICK = 6  # quick-reply buttons for the options of the question a decided answer asks
SYSTEM_FONTS = ["system-ui", "-apple-system", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
                "Noto Sans CJK SC", "Source Han Sans SC", "sans-serif"]
THEME_CSS = """
.gradio-container {max-width: 1100px !important; margin: 0 auto;}
#quick-replies {gap: 6px; flex-wrap: wrap;}
#quick-replies button {flex: 0 1 auto; min-width: 0; white-space: normal; text-align: left;}
.cite-chips {display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px;}
.cite-chip {border: 1px solid #1d4ed8; border-radius: 999px; padding: 2px 10px; background: #eff6ff; color: #1e3a8a;}
.cite-chip[open] {border-radius: 10px; flex-basis: 100%;}
.cite-chip summary {cursor: pointer; font-weight: 600;}
.cite-chip .cite-text {color: #111827; margin-top: 4px;}
.cite-chip .cite-text p {margin: 4px 0;}
.outcome-card {border: 2px solid #1d4ed8; border-radius: 12px; padding: 12px 16px; background: #f8fafc; color: #111827;}
.outcome-card .declaration {border: 2px dashed #b45309; background: #fffbeb; padding: 6px 12px; border-radius: 8px;}
.outcome-card .checklist {list-style: none; padding-left: 0;}
.outcome-card .checklist li {margin: 6px 0;}
.outcome-kicker, .law-browser .meta, .outcome-card .meta {color: #374151; font-size: 0.9em;}
.disclaimer {color: #374151; font-size: 0.85em;}
.law-browser details.article {border-bottom: 1px solid #d1d5db; padding: 6px 0;}
.law-browser summary {cursor: pointer;}
.law-browser .preview {color: #4b5563;}
.law-browser .plain {background: #f0fdf4; border-left: 4px solid #15803d; padding: 4px 10px; margin: 6px 0;}
.law-browser .amendment {background: #fff7ed; border-left: 4px solid #c2410c; padding: 4px 10px; margin: 6px 0;}
.law-browser .tag {background: #c2410c; color: #fff; border-radius: 4px; padding: 0 6px; font-size: 0.8em;}
.law-browser .item {padding-left: 1.5em;}
#footer {border-top: 1px solid #d1d5db; margin-top: 12px; padding-top: 8px; font-size: 0.9em; color: #374151;}
@media (max-width: 640px) { .gradio-container {padding: 4px !important;} }
"""


def theme() -> gr.themes.Base:
    """System fonts only (no web-font downloads), blue accents with readable contrast."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS,
                             font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"])


def _footer(live: Live) -> str:
    v = live.snapshot().versions
    return (f"语料版本 `{v['corpus_version']}` · 法规版本 {v['law_version']}（《网络交易监督管理办法》现行文本） · "
            f"索引 `{v['index_build']}`\n\n{DISCLAIMER}")


def build_ui(live: Live, feedback: FeedbackStore) -> gr.Blocks:
    """Build the Blocks; the caller mounts it (with `theme()` and `THEME_CSS`)."""

    def questionnaire_choices():
        return [(q.title, q.id) for q in live.snapshot().questionnaires.values()]

    with gr.Blocks(title="网络交易合规助手", analytics_enabled=False) as demo:
        gr.Markdown("# 网络交易合规助手\n《网络交易监督管理办法》问答与合规自查：每个回答都附有法条原文出处。")
        assess_state = gr.State({"id": None, "answers": {}, "previous": {}})
        with gr.Tabs(selected="chat") as tabs:
            # ------------------------------------------------------------------ 咨询
            with gr.Tab("咨询", id="chat"):
                turns = gr.State([])
                chatbot = gr.Chatbot(label="咨询对话", height=460, elem_id="chat",
                                     examples=[{"text": q} for q in EXAMPLES],
                                     placeholder="**您好！** 请用自己的话描述您的问题，或点击下面的示例问题。",
                                     feedback_options=("Like", "Dislike"), sanitize_html=True)
                with gr.Row(elem_id="quick-replies"):
                    quick = [gr.Button("", visible=False, size="sm", elem_classes=["quick-reply"])
                             for _ in range(MAX_QUICK)]
                with gr.Row(equal_height=True):
                    question = gr.Textbox(label="您的问题", placeholder=PLACEHOLDER,
                                          scale=5, max_lines=4, elem_id="question", autofocus=False)
                    send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
                related_label = gr.Markdown("**相关问题：**", visible=False)
                with gr.Row():
                    related = [gr.Button("", visible=False, size="sm", elem_classes=["related"]) for _ in range(3)]
                start_assess = gr.Button("", visible=False, variant="secondary", elem_id="start-assessment")
                suggestion = gr.State(None)
                clear = gr.Button("清空对话", size="sm")

            # ------------------------------------------------------------------ 自查
            with gr.Tab("自查", id="assess"):
                picker = gr.Dropdown(choices=questionnaire_choices(), value=None, label="选择自查问卷",
                                     elem_id="questionnaire")
                intro = gr.Markdown("请选择一份自查问卷。每次只问一个问题，可随时返回修改。")
                progress = gr.HTML("", elem_id="progress")
                step_text = gr.Markdown("", elem_id="step-question")
                with gr.Accordion("为什么问这个？", open=False, visible=False) as why_box:
                    why = gr.Markdown("")
                choice = gr.Radio(choices=[], label="请选择您的回答", visible=False, elem_id="answer-choice")
                number = gr.Textbox(label="请输入数字", visible=False, max_lines=1, elem_id="answer-number")
                reading = gr.Markdown("", elem_id="answer-reading")
                with gr.Row():
                    back = gr.Button("上一步", visible=False, elem_id="back")
                    forward = gr.Button("下一步", variant="primary", visible=False, elem_id="next")
                    restart = gr.Button("重新开始", visible=False)
                change = gr.Dropdown(choices=[], value=None, label="修改之前的回答", visible=False,
                                     elem_id="change-answer")
                outcome = gr.HTML("", visible=False, elem_id="outcome")
                with gr.Row():
                    download_html = gr.DownloadButton("下载报告（HTML，可打印）", visible=False, elem_id="download-html")
                    download_md = gr.DownloadButton("下载报告（Markdown）", visible=False)

            # ------------------------------------------------------------------ 法规
            with gr.Tab("法规", id="laws"):
                with gr.Row():
                    law_tab = gr.Radio(choices=[(label, key) for key, label in LAW_TABS.items()], value="measures",
                                       label="浏览", scale=3)
                    law_query = gr.Textbox(label="搜索条文", placeholder="输入关键词，如：自我声明、直播、自动续费",
                                           scale=2)
                law_html = gr.HTML(law_browser(live.snapshot().corpus, "measures"), elem_id="law-browser")

        footer = gr.Markdown(_footer(live), elem_id="footer")

        # ---------------------------------------------------------------------- chat handlers
        def respond(text, messages, turns_now):
            text = (text or "").strip()
            if not text:
                raise gr.Error("问题不能为空，请输入您想咨询的内容。")
            snapshot = live.snapshot()
            try:
                result = snapshot.ask(text, history=[t["question"] for t in turns_now])
            except AssistantError as exc:
                raise gr.Error(exc.user_message) from None
            feedback.record_answer(result, source="ui")
            messages = list(messages or []) + [{"role": "user", "content": text},
                                               {"role": "assistant", "content": answer_message(result)}]
            turns_now = list(turns_now) + [{"question": text, "answer": result["answer"],
                                            "corpus_version": result["corpus_version"]}]
            rel = result.get("related") or []
            updates = [gr.update(value=q, visible=True) if i < len(rel) else gr.update(value="", visible=False)
                       for i, q in enumerate([*rel, None, None, None][:3])]
            suggested = _suggestion(result, snapshot)
            start = (gr.update(value=f"开始自查：{suggested['title']}", visible=True) if suggested
                     else gr.update(visible=False))
            step = _asked(result)
            options = step["options"] if step else []
            replies = [gr.update(value=options[i]["label"], visible=True) if i < len(options)
                       else gr.update(value="", visible=False) for i in range(MAX_QUICK)]
            hint = MONEY_PLACEHOLDER if step and step["type"] == "number" else PLACEHOLDER
            return (gr.update(value="", placeholder=hint), messages, turns_now, gr.update(visible=bool(rel)), *updates,
                    start, suggested, *replies)

        chat_outputs = [question, chatbot, turns, related_label, *related, start_assess, suggestion, *quick]
        question.submit(respond, [question, chatbot, turns], chat_outputs)
        send.click(respond, [question, chatbot, turns], chat_outputs)
        for button in [*related, *quick]:
            button.click(respond, [button, chatbot, turns], chat_outputs)

        def example(evt: gr.SelectData, messages, turns_now):
            value = evt.value.get("text") if isinstance(evt.value, dict) else str(evt.value)
            return respond(value, messages, turns_now)

        chatbot.example_select(example, [chatbot, turns], chat_outputs)

        def rate(evt: gr.LikeData, turns_now):
            index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            turn = turns_now[index // 2] if 0 <= index // 2 < len(turns_now) else None
            if turn is None or evt.liked not in (True, False):
                return
            feedback.add("up" if evt.liked else "down", turn["question"], answer=turn["answer"],
                         corpus_version=turn["corpus_version"], source="ui")
            gr.Info("感谢反馈！" if evt.liked else "感谢反馈，我们会据此改进常见问题解答。")

        chatbot.like(rate, [turns], None)

        def clear_chat():
            return (None, [], gr.update(visible=False), *[gr.update(visible=False)] * 3, gr.update(visible=False), None,
                    *[gr.update(visible=False)] * MAX_QUICK)

        clear.click(clear_chat, None, [chatbot, turns, related_label, *related, start_assess, suggestion, *quick])

        # ---------------------------------------------------------------------- self-assessment handlers
        step_outputs = [assess_state, intro, progress, step_text, why_box, why, choice, number, reading, back, forward,
                        restart, change, outcome, download_html, download_md]

        def show(state):
            """Render the questionnaire at the current answers: the next question or the outcome card."""
            snapshot = live.snapshot()
            qid = state.get("id")
            if not qid or qid not in snapshot.questionnaires:
                hidden = gr.update(visible=False)
                return (state, "请选择一份自查问卷。每次只问一个问题，可随时返回修改。", "", "", hidden, "", hidden,
                        hidden, "", hidden, hidden, hidden, hidden, hidden, hidden, hidden)
            q = snapshot.questionnaires[qid]
            try:
                result = assess(q, state["answers"], snapshot.corpus)
            except AssistantError as exc:  # a stale prefill: drop it rather than lock the user out
                gr.Warning(exc.user_message)
                state = {**state, "answers": {}}
                result = assess(q, {}, snapshot.corpus)
            done, most = q.progress(state["answers"])
            changes = [(f"第{i}题：{s['text'][:24]}…（{s['answer_label']}）", s["question"])
                       for i, s in enumerate(result["path"], 1)]
            intro_text = f"### {q.title}\n{q.description or ''}"
            common = dict(back=gr.update(visible=bool(result["path"])), restart=gr.update(visible=True),
                          change=gr.update(choices=changes, value=None, visible=bool(changes)))
            if result["status"] == "complete":
                result["verification_id"] = verification_id(result)
                card = outcome_card(result, snapshot.corpus, q.title)
                files = _reports(result, q, snapshot.corpus, state["answers"])
                bar = _bar(most, most, "已完成")
                hidden = gr.update(visible=False)
                return (state, intro_text, bar, "", hidden, "", hidden, hidden, "", common["back"], hidden,
                        common["restart"], common["change"], gr.update(value=card, visible=True),
                        gr.update(value=files["html"], visible=True), gr.update(value=files["md"], visible=True))
            step = result["next"]
            previous = state.get("previous", {}).get(step["id"])
            is_number = step["type"] == "number"
            label = _number_label(step)
            note = f"⚠️ {step['unclear']}" if step.get("unclear") else ""
            return (state, intro_text, _bar(done, most, f"第 {done + 1} 题，最多 {most} 题"),
                    f"**第 {done + 1} 题**　{step['text']}", gr.update(visible=True), step["why"],
                    gr.update(choices=[(o["label"], o["id"]) for o in step["options"]],
                              value=previous if not is_number else None, visible=not is_number),
                    gr.update(value="" if previous is None or not is_number else str(previous), label=label,
                              visible=is_number, placeholder="例如：120000、12万、超过10万" if step.get("unit") == "元" else None),
                    note, common["back"], gr.update(visible=True), common["restart"], common["change"],
                    gr.update(value="", visible=False), gr.update(visible=False), gr.update(visible=False))

        def pick(qid, state):
            return show({"id": qid, "answers": {}, "previous": {}})

        picker.change(pick, [picker, assess_state], step_outputs)

        def answer(state, picked, amount):
            snapshot = live.snapshot()
            q = snapshot.questionnaires.get(state.get("id"))
            if q is None:
                raise gr.Error("请先选择一份自查问卷。")
            step = assess(q, state["answers"], snapshot.corpus)["next"]
            if step is None:
                return show(state)
            value = (amount or "").strip() if step["type"] == "number" else picked
            if value is None or value == "":
                gr.Warning("请先选择或填写一个回答，再点“下一步”。")
                return show(state)
            answers = {**state["answers"], step["id"]: value}
            try:
                assess(q, answers, snapshot.corpus)
            except AssistantError as exc:
                gr.Warning(exc.user_message)
                return show(state)
            return show({**state, "answers": answers})

        forward.click(answer, [assess_state, choice, number], step_outputs)
        number.submit(answer, [assess_state, choice, number], step_outputs)

        def preview(state, text):
            """How the typed amount is read (按 120,000 元计算), shown before 下一步 decides anything."""
            snapshot = live.snapshot()
            q = snapshot.questionnaires.get(state.get("id"))
            step = assess(q, state["answers"], snapshot.corpus)["next"] if q else None
            if not step or step["type"] != "number" or not (text or "").strip():
                return ""
            try:
                read = read_answer(q, step["id"], text.strip())
            except AssistantError as exc:
                return f"⚠️ {exc.user_message}"
            return f"{read.get('reading', read['label'])}" + (f"\n\n⚠️ {read['unclear']}" if read.get("unclear") else "")

        number.change(preview, [assess_state, number], reading, trigger_mode="always_last", show_progress="hidden")

        def go_back(state):
            snapshot = live.snapshot()
            q = snapshot.questionnaires.get(state.get("id"))
            if q is None:
                return show(state)
            path = assess(q, state["answers"], snapshot.corpus)["path"]
            if not path:
                return show(state)
            return show(_rewind(state, path, len(path) - 1))

        back.click(go_back, [assess_state], step_outputs)

        def change_answer(key, state):
            snapshot = live.snapshot()
            q = snapshot.questionnaires.get(state.get("id"))
            if not key or q is None:
                return show(state)
            path = assess(q, state["answers"], snapshot.corpus)["path"]
            index = next((i for i, s in enumerate(path) if s["question"] == key), None)
            return show(state if index is None else _rewind(state, path, index))

        change.input(change_answer, [change, assess_state], step_outputs)
        restart.click(lambda state: show({"id": state.get("id"), "answers": {}, "previous": {}}), [assess_state],
                      step_outputs)

        def open_suggested(suggested):
            if not suggested:
                return (gr.update(), gr.update(), *show({"id": None, "answers": {}, "previous": {}}))
            state = {"id": suggested["id"], "answers": dict(suggested.get("prefill") or {}), "previous": {}}
            return (gr.Tabs(selected="assess"), gr.update(value=suggested["id"]), *show(state))

        start_assess.click(open_suggested, [suggestion], [tabs, picker, *step_outputs])

        # ---------------------------------------------------------------------- law browser
        def browse(tab, query):
            return law_browser(live.snapshot().corpus, tab, query)

        law_tab.change(browse, [law_tab, law_query], law_html)
        law_query.submit(browse, [law_tab, law_query], law_html)
        law_query.change(browse, [law_tab, law_query], law_html, trigger_mode="always_last")

        def on_load():
            return _footer(live), gr.update(choices=questionnaire_choices())

        demo.load(on_load, None, [footer, picker])
    return demo


def _asked(result: dict) -> dict | None:
    """The question a decided chat answer asks next (its options become quick replies), if any."""
    assessment = result.get("assessment")
    if assessment and assessment.get("decides") and assessment.get("next"):
        return assessment["next"]
    return None


def _number_label(step: dict) -> str:
    if step.get("unit") == "元":
        return "请输入金额（元），可以写 120000、12万、超过10万"
    return f"请输入数字（单位：{step.get('unit')}）" if step.get("unit") else "请输入数字"


def _rewind(state: dict, path: list[dict], index: int) -> dict:
    """Forget the answers from path[index] on, remembering them to preselect when the question is shown again."""
    dropped = {s["question"]: s["answer"] for s in path[index:]}
    answers = {k: v for k, v in state["answers"].items() if k not in dropped}
    return {**state, "answers": answers, "previous": {**state.get("previous", {}), **dropped}}


def _bar(done: int, most: int, label: str) -> str:
    percent = 100 if most == 0 else round(100 * done / most)
    return (f'<div role="progressbar" aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100" '
            f'aria-label="自查进度" style="background:#e5e7eb;border-radius:6px;height:10px">'
            f'<div style="width:{percent}%;background:#1d4ed8;height:10px;border-radius:6px"></div></div>'
            f'<p style="margin:4px 0;color:#374151">{esc(label)}</p>')


def _suggestion(result: dict, snapshot) -> dict | None:
    """The self-assessment the answer suggests (`suggested_assessment` + `prefill` in the ask JSON), if any."""
    suggested = result.get("suggested_assessment")
    if isinstance(suggested, dict):
        qid, prefill = suggested.get("id"), suggested.get("prefill") or result.get("prefill")
    else:
        qid, prefill = suggested, result.get("prefill")
    if not qid or qid not in snapshot.questionnaires:
        return None
    keys = snapshot.questionnaires[qid].keys
    prefill = {k: v for k, v in (prefill or {}).items() if k in keys}
    return {"id": qid, "title": snapshot.questionnaires[qid].title, "prefill": prefill}


def _reports(result: dict, questionnaire, corpus, answers: dict) -> dict:
    from assistant.report import render_report

    folder = Path(tempfile.mkdtemp(prefix="wangjiao-report-"))
    out = {}
    for fmt in ("html", "md"):
        path = folder / f"自查报告-{questionnaire.id}-{result['verification_id']}.{fmt}"
        path.write_text(render_report(result, questionnaire, corpus, fmt=fmt, answers=answers), encoding="utf-8")
        out[fmt] = str(path)
    return out
