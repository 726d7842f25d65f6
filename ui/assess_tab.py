"""The 自查 tab: one question at a time, every earlier answer editable in place, the outcome card and report files.

The browser keeps only `{id, answers, previous, editing, origin}` (gr.State); every render asks the stateless engine
(`flows.assess`) what comes next, exactly as `POST /api/v1/assess/{id}` does. 修改 on an answered question shows
that question again with its answer selected; saving keeps the other answers, and once the result is complete the
answers that are no longer on its path are dropped (kept in `previous`, so they are preselected if asked again).
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from assistant.errors import AssistantError
from assistant.flows import assess, read_answer, verification_id
from assistant.live import Live
from assistant.report import render_report, report_filename
from ui.render import esc, outcome_card

MAX_ANSWERED = 16   # 修改 rows; a path longer than this keeps 上一步 for the rest
INTRO = "请选择一份自查问卷。每次只问一个问题，已回答的问题可以随时修改。"
MONEY_HINT = "例如：120000、12万、超过10万"
ORIGINS = {"chat": "根据对话填写"}
TOAST = {"title": "请注意"}
# 修改 is clicked in the list below the question: bring the question being edited into view.
SHOW_QUESTION_JS = """() => { requestAnimationFrame(() => setTimeout(() => {
  const el = document.querySelector('#step-question');
  if (el && el.getBoundingClientRect().top < 0) el.scrollIntoView({block: 'start', behavior: 'smooth'});
}, 50)); }"""


def empty_state(qid: str | None = None, answers: dict | None = None, origin: str | None = None) -> dict:
    answers = dict(answers or {})
    return {"id": qid, "answers": answers, "previous": {}, "editing": None,
            "origin": {key: origin for key in answers} if origin else {}}


@dataclass
class AssessTab:
    """The components of the tab; `outputs` is what every render updates."""

    state: gr.State
    picker: gr.Dropdown
    intro: gr.Markdown
    progress: gr.HTML
    step_text: gr.Markdown
    why_box: gr.Accordion
    why: gr.Markdown
    choice: gr.Radio
    number: gr.Textbox
    reading: gr.Markdown
    back: gr.Button
    forward: gr.Button
    cancel: gr.Button
    restart: gr.Button
    answered_title: gr.Markdown
    rows: list = field(default_factory=list)      # (gr.Row, gr.Markdown, gr.Button) per answered question
    outcome: gr.HTML = None
    download_html: gr.DownloadButton = None
    download_md: gr.DownloadButton = None

    @property
    def outputs(self) -> list:
        return [self.state, self.intro, self.progress, self.step_text, self.why_box, self.why, self.choice,
                self.number, self.reading, self.back, self.forward, self.cancel, self.restart, self.answered_title,
                *[part for row in self.rows for part in row], self.outcome, self.download_html, self.download_md]


def build(live: Live) -> AssessTab:
    """Lay out the tab (inside the caller's gr.Tab)."""
    state = gr.State(empty_state())
    choices = [(q.title, q.id) for q in live.snapshot().questionnaires.values()]
    picker = gr.Dropdown(choices=choices, value=None, label="选择自查问卷", elem_id="questionnaire")
    intro = gr.Markdown(INTRO, elem_id="assess-intro")
    progress = gr.HTML("", elem_id="progress")
    step_text = gr.Markdown("", elem_id="step-question")
    with gr.Accordion("为什么问这个？", open=False, visible=False, elem_id="why") as why_box:
        why = gr.Markdown("")
    choice = gr.Radio(choices=[], label="请选择您的回答", visible=False, elem_id="answer-choice")
    number = gr.Textbox(label="请输入数字", visible=False, max_lines=1, elem_id="answer-number")
    reading = gr.Markdown("", elem_id="answer-reading")
    with gr.Row(elem_id="assess-buttons"):
        back = gr.Button("上一步", visible=False, elem_id="back", min_width=80)
        forward = gr.Button("下一步", variant="primary", visible=False, elem_id="next", min_width=80)
        cancel = gr.Button("取消修改", visible=False, elem_id="cancel-edit", min_width=80)
        restart = gr.Button("重新开始", visible=False, elem_id="restart", min_width=80)
    outcome = gr.HTML("", visible=False, elem_id="outcome")
    with gr.Row(elem_id="downloads"):
        download_html = gr.DownloadButton("下载报告（HTML，可打印）", visible=False, elem_id="download-html")
        download_md = gr.DownloadButton("下载报告（Markdown）", visible=False, elem_id="download-md")
    answered_title = gr.Markdown("", visible=False, elem_id="answered-title")
    rows = []
    with gr.Column(elem_id="answered"):
        for i in range(MAX_ANSWERED):
            with gr.Row(visible=False, elem_classes=["answered-row"], equal_height=True) as row:
                text = gr.Markdown("", elem_classes=["answered-text"])
                edit = gr.Button("修改", size="sm", scale=0, min_width=64, elem_id=f"edit-{i}",
                                 elem_classes=["edit-answer"])
            rows.append((row, text, edit))
    return AssessTab(state, picker, intro, progress, step_text, why_box, why, choice, number, reading, back, forward,
                     cancel, restart, answered_title, rows, outcome, download_html, download_md)


def wire(tab: AssessTab, live: Live) -> None:
    """Connect the tab's events; every handler renders through `render`."""
    outputs = tab.outputs

    def pick(qid):
        return render(tab, live, empty_state(qid))

    tab.picker.input(pick, [tab.picker], outputs)

    def answer(state, picked, amount):
        snapshot = live.snapshot()
        q = snapshot.questionnaires.get(state.get("id"))
        if q is None:
            raise gr.Error("请先选择一份自查问卷。", title="出错了")
        step = current_step(q, state, snapshot.corpus)
        if step is None:
            return render(tab, live, state)
        value = (amount or "").strip() if step["type"] == "number" else picked
        if value is None or value == "":
            gr.Warning("请先选择或填写一个回答，再点“下一步”。", **TOAST)
            return render(tab, live, state)
        answers = {**state["answers"], step["id"]: value}
        try:
            result = assess(q, answers, snapshot.corpus)
        except AssistantError as exc:
            gr.Warning(exc.user_message, **TOAST)
            return render(tab, live, state)
        origin = {k: v for k, v in state.get("origin", {}).items() if k != step["id"]}
        return render(tab, live, prune({**state, "answers": answers, "editing": None, "origin": origin}, result))

    tab.forward.click(answer, [tab.state, tab.choice, tab.number], outputs)
    tab.number.submit(answer, [tab.state, tab.choice, tab.number], outputs)

    def preview(state, text):
        """How the typed amount is read (按 120,000 元计算), shown before 下一步 decides anything."""
        snapshot = live.snapshot()
        q = snapshot.questionnaires.get(state.get("id"))
        step = current_step(q, state, snapshot.corpus) if q else None
        if not step or step["type"] != "number" or not (text or "").strip():
            return ""
        try:
            read = read_answer(q, step["id"], text.strip())
        except AssistantError as exc:
            return f"⚠️ {exc.user_message}"
        return read.get("reading", read["label"]) + (f"\n\n⚠️ {read['unclear']}" if read.get("unclear") else "")

    tab.number.change(preview, [tab.state, tab.number], tab.reading, trigger_mode="always_last",
                      show_progress="hidden")

    def go_back(state):
        snapshot = live.snapshot()
        q = snapshot.questionnaires.get(state.get("id"))
        if q is None:
            return render(tab, live, state)
        path = assess(q, state["answers"], snapshot.corpus)["path"]
        if state.get("editing") or not path:
            return render(tab, live, {**state, "editing": None})
        last = path[-1]["question"]
        answers = {k: v for k, v in state["answers"].items() if k != last}
        previous = {**state.get("previous", {}), last: state["answers"].get(last, path[-1]["answer"])}
        return render(tab, live, {**state, "answers": answers, "previous": previous})

    tab.back.click(go_back, [tab.state], outputs)

    for i, (_, _, edit) in enumerate(tab.rows):
        def start_edit(state, i=i):
            snapshot = live.snapshot()
            q = snapshot.questionnaires.get(state.get("id"))
            if q is None:
                return render(tab, live, state)
            path = assess(q, state["answers"], snapshot.corpus)["path"]
            return render(tab, live, {**state, "editing": path[i]["question"] if i < len(path) else None})

        edit.click(start_edit, [tab.state], outputs).then(None, js=SHOW_QUESTION_JS)

    tab.cancel.click(lambda state: render(tab, live, {**state, "editing": None}), [tab.state], outputs)
    tab.restart.click(lambda state: render(tab, live, empty_state(state.get("id"))), [tab.state], outputs)


def open_with(tab: AssessTab, live: Live, qid: str, answers: dict, origin: str = "chat") -> dict:
    """Updates that show questionnaire `qid` started with `answers` (e.g. the facts read from the chat)."""
    return {tab.picker: gr.update(value=qid), **render(tab, live, empty_state(qid, answers, origin))}


def prune(state: dict, result: dict) -> dict:
    """Once the result is complete, drop the answers no longer on its path (kept in `previous` to preselect)."""
    if result["status"] != "complete":
        return state
    on_path = {step["question"] for step in result["path"]}
    dropped = {k: v for k, v in state["answers"].items() if k not in on_path}
    if not dropped:
        return state
    return {**state, "answers": {k: v for k, v in state["answers"].items() if k in on_path},
            "previous": {**state.get("previous", {}), **dropped}}


def current_step(q, state: dict, corpus) -> dict | None:
    """The question on screen: the one being edited, else the engine's next question (None when complete)."""
    key = state.get("editing")
    if key and key in q.keys:
        node = q.keys[key]
        return {"id": key, "text": node.text, "type": node.type, "why": node.why, "unit": node.unit,
                "options": [{"id": o.id, "label": o.label} for o in node.options]}
    return assess(q, state["answers"], corpus)["next"]


def render(tab: AssessTab, live: Live, state: dict) -> dict:
    """Every component of the tab for this state: the question on screen or the outcome, and the answered list."""
    snapshot = live.snapshot()
    hidden = gr.update(visible=False)
    q = snapshot.questionnaires.get(state.get("id"))
    if q is None:
        return {tab.state: empty_state(), tab.intro: INTRO, tab.progress: "", tab.step_text: "", tab.why_box: hidden,
                tab.why: "", tab.choice: gr.update(visible=False, value=None), tab.number: hidden, tab.reading: "",
                tab.back: hidden, tab.forward: hidden, tab.cancel: hidden, tab.restart: hidden,
                tab.answered_title: hidden, **_rows(tab, [], {}), tab.outcome: hidden, tab.download_html: hidden,
                tab.download_md: hidden}
    try:
        result = assess(q, state["answers"], snapshot.corpus)
    except AssistantError as exc:  # a stale prefill (questionnaire changed under it): start clean, say why
        gr.Warning(exc.user_message, **TOAST)
        state = empty_state(q.id)
        result = assess(q, {}, snapshot.corpus)
    path = result["path"]
    editing = state.get("editing") if any(s["question"] == state.get("editing") for s in path) else None
    state = {**state, "editing": editing}
    out = {tab.state: state, tab.intro: f"### {q.title}\n{q.description or ''}",
           tab.restart: gr.update(visible=True), **_rows(tab, path, state.get("origin", {}), editing)}
    out[tab.answered_title] = gr.update(visible=bool(path), value=(
        f"**已回答的问题（{len(path)}）**　点“修改”可更改任一回答，其他回答会保留，不再适用的回答会自动去掉。"))
    if editing is None and result["status"] == "complete":
        result["verification_id"] = verification_id(result)
        files = _reports(result, q, snapshot.corpus, state["answers"])
        return {**out, tab.progress: _bar(1, 1, "已完成"), tab.step_text: "", tab.why_box: hidden, tab.why: "",
                tab.choice: gr.update(visible=False, value=None), tab.number: hidden, tab.reading: "",
                tab.back: gr.update(visible=bool(path)), tab.forward: hidden, tab.cancel: hidden,
                tab.outcome: gr.update(value=outcome_card(result, snapshot.corpus, q.title), visible=True),
                tab.download_html: gr.update(value=files["html"], visible=True),
                tab.download_md: gr.update(value=files["md"], visible=True)}
    step = current_step(q, state, snapshot.corpus)
    done, most = q.progress(state["answers"])
    if editing:
        position = next(i for i, s in enumerate(path, 1) if s["question"] == editing)
        heading, bar = f"**修改第 {position} 题**　{step['text']}", _bar(done, most, f"正在修改第 {position} 题")
        current = state["answers"].get(editing)
    else:
        heading, bar = f"**第 {done + 1} 题**　{step['text']}", _bar(done, max(most, 1), f"第 {done + 1} 题，最多 {most} 题")
        current = state.get("previous", {}).get(step["id"])
    is_number = step["type"] == "number"
    ids = {o["id"] for o in step["options"]}
    note = f"⚠️ {step['unclear']}" if step.get("unclear") else ""
    return {**out, tab.progress: bar, tab.step_text: heading, tab.why_box: gr.update(visible=True),
            tab.why: step.get("why") or "",
            tab.choice: gr.update(choices=[(o["label"], o["id"]) for o in step["options"]], visible=not is_number,
                                  value=current if not is_number and current in ids else None),
            tab.number: gr.update(value="" if current is None or not is_number else str(current), visible=is_number,
                                  label=_number_label(step),
                                  placeholder=MONEY_HINT if step.get("unit") == "元" else None),
            tab.reading: note, tab.back: gr.update(visible=bool(path) and not editing),
            tab.forward: gr.update(visible=True, value="保存修改" if editing else "下一步"),
            tab.cancel: gr.update(visible=bool(editing)), tab.outcome: gr.update(value="", visible=False),
            tab.download_html: hidden, tab.download_md: hidden}


def _rows(tab: AssessTab, path: list[dict], origin: dict, editing: str | None = None) -> dict:
    out = {}
    for i, (row, text, edit) in enumerate(tab.rows):
        if i >= len(path):
            out.update({row: gr.update(visible=False), text: "", edit: gr.update(visible=False)})
            continue
        step = path[i]
        source = f"（{ORIGINS[origin[step['question']]]}）" if origin.get(step["question"]) in ORIGINS else ""
        mark = "　✏️ 正在修改" if step["question"] == editing else ""
        out.update({row: gr.update(visible=True),
                    text: f"{i + 1}. {esc(step['text'])}<br>**{esc(step['answer_label'])}**{source}{mark}",
                    edit: gr.update(visible=step["question"] != editing)})
    return out


def _number_label(step: dict) -> str:
    if step.get("unit") == "元":
        return "请输入金额（元），可以写 120000、12万、超过10万"
    return f"请输入数字（单位：{step.get('unit')}）" if step.get("unit") else "请输入数字"


def _bar(done: int, most: int, label: str) -> str:
    percent = 100 if most == 0 else round(100 * done / most)
    return (f'<div role="progressbar" aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100" '
            f'aria-label="自查进度" class="progress-track"><div class="progress-fill" style="width:{percent}%"></div></div>'
            f'<p class="progress-label">{esc(label)}</p>')


REPORTS = Path(tempfile.gettempdir()) / "wangjiao-reports"
REPORT_HOURS = 1


def _reports(result: dict, questionnaire, corpus, answers: dict) -> dict:
    """Both report files, named by the one scheme the API and the widget use too (report.report_filename).

    One folder per verification id (the same answers give the same files), and folders older than an hour are
    removed as new ones are written, so a stream of completed questionnaires does not fill the disk.
    """
    _sweep(REPORTS, REPORT_HOURS * 3600)
    folder = REPORTS / result["verification_id"]
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for fmt in ("html", "md"):
        path = folder / report_filename(questionnaire.id, result["verification_id"], fmt)
        path.write_text(render_report(result, questionnaire, corpus, fmt=fmt, answers=answers), encoding="utf-8")
        out[fmt] = str(path)
    return out


def _sweep(root: Path, max_age: float) -> None:
    import shutil
    import time

    if not root.is_dir():
        return
    cutoff = time.time() - max_age
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # removed by another worker meanwhile
            continue
