"""The Gradio UI (Simplified Chinese): 咨询 chat, 自查 self-assessment, 法规 browser; mounted at `/` by assistant.api.

One module per tab (`chat_tab`, `assess_tab`, `laws_tab`), HTML fragments in `render`, Gradio's own words in
`i18n`, the style sheet in `static/ui.css`. Every handler takes the current snapshot from `Live` once and calls the
same functions as the CLI and the JSON API. Domain errors are shown as `gr.Error` (or a warning where the user can
simply correct the input), always with the Chinese half of the message (`AssistantError.user_message`).
"""

import os
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no calls home, set before gradio is imported

import gradio as gr  # noqa: E402

from assistant.answer import DISCLAIMER  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.live import Live  # noqa: E402
from ui import assess_tab, chat_tab, laws_tab  # noqa: E402
from ui.i18n import translations  # noqa: E402

STATIC = Path(__file__).resolve().parent / "static"
SYSTEM_FONTS = ["system-ui", "-apple-system", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
                "Noto Sans CJK SC", "Source Han Sans SC", "sans-serif"]
THEME_CSS = (STATIC / "ui.css").read_text(encoding="utf-8")
# Chinese words and ARIA fixes for what Gradio hard-codes (see the file's header); run once when the page loads.
PATCH_JS = (STATIC / "gradio-patches.js").read_text(encoding="utf-8")


def theme() -> gr.themes.Base:
    """System fonts only (no web-font downloads), blue accents with readable contrast."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS,
                             font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"]).set(
        button_primary_background_fill="#1d4ed8", button_primary_background_fill_hover="#1e40af",
        button_primary_text_color="#ffffff", body_text_color_subdued="#4b5563", color_accent="#1d4ed8")


def _footer(live: Live) -> str:
    v = live.snapshot().versions
    return (f"语料版本 `{v['corpus_version']}` · 法规版本 {v['law_version']}（《网络交易监督管理办法》现行文本） · "
            f"索引 `{v['index_build']}`\n\n{DISCLAIMER}")


def build_ui(live: Live, feedback: FeedbackStore) -> gr.Blocks:
    """Build the Blocks; the caller mounts it (with `theme()` and `THEME_CSS`)."""
    # delete_cache: Gradio's copies of report files are removed hourly, not kept for the life of the process.
    with gr.Blocks(title="网络交易合规助手", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# 网络交易合规助手\n《网络交易监督管理办法》问答与合规自查：每个回答都附有法条原文出处。",
                    elem_id="header")
        with gr.Tabs(selected="chat", elem_id="tabs") as tabs:
            with gr.Tab("咨询", id="chat"):
                chat = chat_tab.build()
            with gr.Tab("自查", id="assess"):
                assess = assess_tab.build(live)
            with gr.Tab("法规", id="laws"):
                laws_tab.build(live)
        footer = gr.Markdown(_footer(live), elem_id="footer")

        chat_tab.wire(chat, live, feedback)
        assess_tab.wire(assess, live)

        def open_suggested(suggested):
            """开始自查 from the chat: the questionnaire opens with the answers read from the conversation."""
            if not suggested:
                return {tabs: gr.Tabs()}
            return {tabs: gr.Tabs(selected="assess"),
                    **assess_tab.open_with(assess, live, suggested["id"], suggested["prefill"], origin="chat")}

        chat.start.click(open_suggested, [chat.suggestion], [tabs, assess.picker, *assess.outputs])

        def on_load():
            choices = [(q.title, q.id) for q in live.snapshot().questionnaires.values()]
            return _footer(live), gr.update(choices=choices)

        demo.load(on_load, None, [footer, assess.picker])
        demo.load(None, None, None, js=PATCH_JS)
    demo.i18n_instance = translations()  # Gradio's own words in Chinese for every browser language (ui/i18n.py)
    return demo
