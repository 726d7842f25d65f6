"""Printable self-assessment reports (Markdown or self-contained HTML) with the full text of every cited article."""

import datetime
import html
from typing import Any, Mapping

from assistant.corpus import Citation, Corpus, chinese_numeral
from assistant.flows import Questionnaire, normalise_answers, verification_id

TITLE = "网络交易合规自查报告"
DISCLAIMER = ("本报告由网络交易合规助手根据您的回答自动生成，仅供参考，不构成法律意见。"
              "具体问题请以法律法规原文和市场监督管理部门的意见为准。")
FORMATS = ("md", "html")
CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
max-width:46em;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.7}
h1{font-size:1.6em;border-bottom:2px solid #1a1a1a;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #999}
h3{font-size:1em;margin-bottom:.2em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
.meta td:first-child{width:9em;background:#f3f3f3}
.declaration{border:2px solid #1a1a1a;padding:.6em 1em;font-weight:bold}
.checklist{list-style:none;padding-left:0}.checklist li:before{content:"\\2610  "}
blockquote{margin:.3em 0 1em;padding:.2em 1em;border-left:4px solid #bbb;background:#fafafa}
blockquote p{margin:.3em 0}
.disclaimer{margin-top:2em;padding:.6em 1em;border:1px solid #999;font-size:.9em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}blockquote{page-break-inside:avoid}}
"""


FILE_PREFIX, ASCII_PREFIX = "自查报告", "report"


def report_filename(questionnaire_id: str, verification: str, fmt: str, today: datetime.date | None = None,
                    ascii_only: bool = False) -> str:
    """The one file-name scheme for downloaded reports (UI, widget, API): 自查报告-<questionnaire>-<date>-<code>.<fmt>.

    `ascii_only` gives the same name with an ASCII prefix, for the plain `filename=` fallback of HTTP headers.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")
    prefix = ASCII_PREFIX if ascii_only else FILE_PREFIX
    return f"{prefix}-{questionnaire_id}-{(today or datetime.date.today()).isoformat()}-{verification}.{fmt}"


def render_report(result: Mapping[str, Any], questionnaire: Questionnaire, corpus: Corpus, fmt: str = "md",
                  answers: Mapping[str, Any] | None = None, today: datetime.date | None = None) -> str:
    """Render the result of `assess` as a Markdown or HTML report; `answers` adds the ignored answers' values."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")
    report = _collect(result, questionnaire, corpus, answers or {}, today or datetime.date.today())
    return _markdown(report) if fmt == "md" else _html(report)


def _collect(result, questionnaire: Questionnaire, corpus: Corpus, answers: Mapping, today: datetime.date) -> dict:
    """Everything the report shows, as plain text; the two renderers only lay it out."""
    cites: list[Citation] = [Citation(c["source"], c["article"], c["paragraph"])
                             for c in (result["outcome"] or {}).get("citations", [])]
    values = normalise_answers(questionnaire, {step["question"]: step["answer"] for step in result["path"]})
    steps, _ = questionnaire.walk(values)
    cites += [c for node, _ in steps for c in node.cites]
    articles: dict[tuple[str, int], set] = {}
    for cite in cites:
        articles.setdefault((cite.source, cite.article), set()).add(cite.paragraph)
    texts = []
    for (source, number), paragraphs in articles.items():
        article = corpus.article(source, number)
        cited = sorted(p for p in paragraphs if p)
        note = "" if None in paragraphs or not cited else f"（本报告引用{'、'.join(f'第{chinese_numeral(p)}款' for p in cited)}）"
        texts.append({"label": article.label() + note, "paragraphs": [p.full_text for p in article.paragraphs]})
    keys = questionnaire.keys
    ignored = [{"question": keys[k].text, "value": str(answers.get(k, ""))} for k in result.get("ignored", [])]
    return {
        "title": TITLE, "questionnaire": f"{questionnaire.title}（{questionnaire.id}）", "date": today.isoformat(),
        "meta": [("问卷", f"{questionnaire.title}（{questionnaire.id}）"), ("生成日期", today.isoformat()),
                 ("法规版本", result["law_version"]), ("知识库版本", result["corpus_version"]),
                 ("核验码", verification_id(result))],
        "answers": [(step["text"], step["answer_label"]) for step in result["path"]],
        "ignored": ignored, "outcome": result["outcome"], "next": result["next"], "articles": texts,
    }


def _markdown(r: dict) -> str:
    out = [f"# {r['title']}", ""]
    out += [f"- **{name}**：{value}" for name, value in r["meta"]]
    out += ["", "## 您的回答", ""]
    out += [f"{i}. {question} —— **{answer}**" for i, (question, answer) in enumerate(r["answers"], 1)] or ["（尚未回答）"]
    if r["ignored"]:
        out += ["", "以下回答不在本次问答路径上，未影响结果："]
        out += [f"- {item['question']}（{item['value']}）" for item in r["ignored"]]
    outcome = r["outcome"]
    if outcome is None:
        out += ["", "## 结果：问卷尚未完成", "", f"下一个问题：{r['next']['text']}"]
    else:
        out += ["", f"## 结果：{outcome['title']}", "", outcome["explanation"]]
        if outcome.get("self_declaration"):
            out += ["", "应当公示的自我声明：", "", f"> **{outcome['self_declaration']}**"]
        out += ["", "## 义务清单", ""] + [f"- [ ] {item}" for item in outcome["obligations"]]
        out += ["", "依据：" + "；".join(c["label"] for c in outcome["citations"])]
    out += ["", "## 法律依据（条文全文）"]
    for article in r["articles"]:
        out += ["", f"### {article['label']}", ""]
        lines = [line for p in article["paragraphs"] for line in p.split("\n")]
        out += [f"> {line}" if i % 2 == 0 else ">" for i, line in enumerate(x for l in lines for x in (l, ""))][:-1]
    out += ["", "---", "", f"**免责声明**：{DISCLAIMER}", ""]
    return "\n".join(out)


def _html(r: dict) -> str:
    e = html.escape
    out = ['<!DOCTYPE html>', '<html lang="zh-CN">', '<head>', '<meta charset="utf-8">',
           f"<title>{e(r['title'])} · {e(r['questionnaire'])}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<h1>{e(r['title'])}</h1>", '<table class="meta">']
    out += [f"<tr><td>{e(name)}</td><td>{e(value)}</td></tr>" for name, value in r["meta"]]
    out += ["</table>", "<h2>您的回答</h2>"]
    if r["answers"]:
        out += ["<table>", "<tr><th>问题</th><th>您的回答</th></tr>"]
        out += [f"<tr><td>{e(q)}</td><td>{e(a)}</td></tr>" for q, a in r["answers"]] + ["</table>"]
    else:
        out.append("<p>（尚未回答）</p>")
    if r["ignored"]:
        out += ["<p>以下回答不在本次问答路径上，未影响结果：</p>", "<ul>"]
        out += [f"<li>{e(item['question'])}（{e(item['value'])}）</li>" for item in r["ignored"]] + ["</ul>"]
    outcome = r["outcome"]
    if outcome is None:
        out += ["<h2>结果：问卷尚未完成</h2>", f"<p>下一个问题：{e(r['next']['text'])}</p>"]
    else:
        out += [f"<h2>结果：{e(outcome['title'])}</h2>", f"<p>{e(outcome['explanation'])}</p>"]
        if outcome.get("self_declaration"):
            out += ["<p>应当公示的自我声明：</p>", f'<p class="declaration">{e(outcome["self_declaration"])}</p>']
        out += ["<h2>义务清单</h2>", '<ul class="checklist">']
        out += [f"<li>{e(item)}</li>" for item in outcome["obligations"]] + ["</ul>"]
        out.append(f"<p>依据：{e('；'.join(c['label'] for c in outcome['citations']))}</p>")
    out.append("<h2>法律依据（条文全文）</h2>")
    for article in r["articles"]:
        out += [f"<h3>{e(article['label'])}</h3>", "<blockquote>"]
        out += [f"<p>{e(line)}</p>" for p in article["paragraphs"] for line in p.split("\n")] + ["</blockquote>"]
    out += [f'<p class="disclaimer"><strong>免责声明</strong>：{e(DISCLAIMER)}</p>', "</body>", "</html>", ""]
    return "\n".join(out)
