"""Gradio's own words in Simplified Chinese, whatever the browser's language.

Gradio picks its interface language from `navigator.language` and ships a partial zh-CN table (no 完成, 复制,
toast titles). `translations()` gives every locale Gradio knows the same Chinese strings as flat dotted keys, which
its lookup prefers to the built-in nested tables, so an English, German or Chinese browser all see one interface.
The few words Gradio 6 hard-codes (toast titles, "bot's message: …", "chatbot conversation", "More tabs") are
translated in the page by `static/gradio-patches.js`, which also keeps `<html lang="zh-CN">`.
"""

import gradio as gr

# Every locale Gradio 6 ships (gradio/templates/frontend/assets: lang/*.json); a browser language outside this list
# falls back to "en", which is covered too.
GRADIO_LOCALES = ("ar", "ca", "ckb", "de", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "id", "ja", "ko",
                  "lt", "nb", "nl", "pl", "pt-BR", "pt", "ro", "ru", "sv", "ta", "th", "tr", "uk", "ur", "uz",
                  "zh-CN", "zh-TW")

ZH = {
    "chatbot.edit": "编辑", "chatbot.retry": "重新回答", "chatbot.undo": "撤销", "chatbot.submit": "发送",
    "chatbot.cancel": "取消", "chatbot.like": "有帮助", "chatbot.dislike": "没有帮助", "chatbot.clear": "清空对话",
    "chatbot.complete": "完成", "chatbot.copy_message": "复制这条消息", "chatbot.copied_message": "已复制",
    "chat_interface.new_chat": "新对话", "chat_interface.message_placeholder": "请输入您的问题…",
    "chat_interface.additional_inputs": "更多选项", "chat_interface.chatbot": "咨询对话",
    "chat_interface.conversation": "对话",
    "common.built_with": "构建于", "common.built_with_gradio": "使用 Gradio 构建", "common.clear": "清除",
    "common.download": "下载", "common.download_all": "全部下载", "common.edit": "编辑", "common.empty": "无内容",
    "common.error": "出错了", "common.hosted_on": "托管于", "common.loading": "加载中", "common.logo": "标志",
    "common.or": "或", "common.remove": "移除", "common.runs": "运行记录", "common.runs_description": "查看本浏览器保存的运行记录",
    "common.back_to_app": "返回", "common.back_to_app_description": "返回应用", "common.settings": "设置",
    "common.share": "分享", "common.submit": "提交", "common.undo": "撤销", "common.no_devices": "未找到设备",
    "common.language": "语言", "common.display_theme": "显示主题", "common.pwa": "渐进式网页应用",
    "common.progress": "进度", "common.record": "录制", "common.stop_recording": "停止录制",
    "common.screen_studio": "录屏", "common.share_gradio_tab": "分享", "common.run": "运行",
    "blocks.connection_can_break": "在手机上，切换到其他页面或锁屏可能会中断连接。",
    "blocks.long_requests_queue": "当前请求较多，正在排队，请稍候。",
    "blocks.lost_connection": "连接已断开，正在重新连接……",
    "blocks.waiting_for_inputs": "正在等待文件上传完成，请稍后重试。",
    "errors.build_error": "构建出错", "errors.config_error": "配置出错",
    "errors.contact_page_author": "请联系网站管理员。", "errors.no_app_file": "找不到应用文件",
    "errors.runtime_error": "运行出错", "errors.space_not_working": "服务暂时无法使用：{0}",
    "errors.space_paused": "服务已暂停", "errors.use_via_api": "通过 API 使用", "errors.use_via_api_or_mcp": "通过 API 使用",
    "dropdown.dropdown": "下拉选择", "radio.radio": "单选", "checkbox.checkbox": "复选框",
    "checkbox.checkbox_group": "复选框组", "number.number": "数字", "file.uploading": "正在上传……",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
    "upload_text.click_to_upload": "点击上传", "upload_text.drop_file": "把文件拖到这里",
    "upload_text.paste_clipboard": "从剪贴板粘贴",
}

def translations() -> gr.I18n:
    """The Chinese strings for every locale, so Gradio's interface is Chinese in any browser."""
    return gr.I18n(**{locale: dict(ZH) for locale in GRADIO_LOCALES})
