"""Retrieval evaluation on a hand-written question set: Recall@k, MRR, answered and refusal rates per mode."""

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import AssistantError
from assistant.knowledge import KnowledgeBase

KS = (1, 3, 5)


@dataclass
class EvalSet:
    in_scope: list[tuple[str, list[int]]]
    out_of_scope: list[str]


def load_eval_set(path: str | Path) -> EvalSet:
    """Read `eval/*.yaml`: in_scope items {q, articles: [Measures article numbers]} and out_of_scope items {q}."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssistantError(f"{path}: cannot read evaluation set: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AssistantError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise AssistantError(f"{path}: expected a mapping with in_scope and out_of_scope lists")
    in_scope, out = [], []
    for i, item in enumerate(data.get("in_scope") or []):
        if not isinstance(item, dict) or not str(item.get("q", "")).strip() or not item.get("articles"):
            raise AssistantError(f"{path}: in_scope[{i}]: expected q and a non-empty articles list")
        in_scope.append((str(item["q"]), [int(a) for a in item["articles"]]))
    for i, item in enumerate(data.get("out_of_scope") or []):
        if not isinstance(item, dict) or not str(item.get("q", "")).strip():
            raise AssistantError(f"{path}: out_of_scope[{i}]: expected q")
        out.append(str(item["q"]))
    return EvalSet(in_scope, out)


def measures_ranks(result: dict) -> list[int]:
    """Measures article numbers in citation order, the unit the metrics are computed on."""
    return [c["article"] for c in result["citations"] if c["source"] == "measures"]


def ranked_articles(kb: KnowledgeBase, question: str) -> tuple[list[int], bool]:
    """Article ranking independent of the answer threshold (so recall is not hidden by refusals) and the decision."""
    ranking = kb.rank(question, top_k=max(KS))
    articles = []
    for key, _ in ranking.articles:
        source, number = key.split(":")[:2]
        if source == "measures" and int(number) not in articles:
            articles.append(int(number))
    return articles, ranking.answerable(kb.threshold)


def evaluate(kb: KnowledgeBase, data: EvalSet, details: bool = False) -> dict:
    recall = {k: 0 for k in KS}
    mrr = 0.0
    answered = refused = 0
    misses = []
    for question, gold in data.in_scope:
        articles, ok = ranked_articles(kb, question)
        answered += ok
        rank = next((i + 1 for i, a in enumerate(articles) if a in gold), None)
        for k in KS:
            recall[k] += rank is not None and rank <= k
        mrr += 1.0 / rank if rank else 0.0
        if details and rank != 1:
            misses.append({"q": question, "gold": gold, "got": articles[:3], "answered": ok})
    false_answers = []
    for question in data.out_of_scope:
        articles, ok = ranked_articles(kb, question)
        refused += not ok
        if details and ok:
            false_answers.append({"q": question, "got": articles[:3]})
    n, m = max(len(data.in_scope), 1), max(len(data.out_of_scope), 1)
    report = {f"recall@{k}": round(recall[k] / n, 4) for k in KS}
    report.update(mrr=round(mrr / n, 4), answered=round(answered / n, 4), refused=round(refused / m, 4),
                  in_scope=len(data.in_scope), out_of_scope=len(data.out_of_scope))
    if details:
        report.update(misses=misses, false_answers=false_answers)
    return report


def format_table(reports: dict[str, dict]) -> str:
    """A Markdown table, one column per mode, as pasted into the README."""
    rows = [f"recall@{k}" for k in KS] + ["mrr", "answered", "refused"]
    head = "| metric | " + " | ".join(reports) + " |"
    lines = [head, "|" + "---|" * (len(reports) + 1)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(f"{r[row]:.3f}" for r in reports.values()) + " |")
    first = next(iter(reports.values()))
    lines.append(f"\n{first['in_scope']} in-scope and {first['out_of_scope']} out-of-scope questions.")
    return "\n".join(lines)


def calibrate(kb: KnowledgeBase, data: EvalSet, min_answered: float = 0.97) -> dict:
    """The answer threshold that still answers `min_answered` of the in-scope questions.

    Out-of-scope topic anchors are ignored here on purpose: the threshold is the safety net for questions no
    anchor describes, so it must work without them; the refusal rate is reported both ways.
    """
    inside = sorted(kb.rank(q).covered_confidence for q, _ in data.in_scope)
    rankings = [kb.rank(q) for q in data.out_of_scope]
    threshold = inside[int((1 - min_answered) * len(inside))] if inside else 0.0
    n = max(len(rankings), 1)
    return {
        "answer_threshold": round(threshold - 5e-5, 4),
        "answered": round(sum(c >= threshold for c in inside) / max(len(inside), 1), 4),
        "refused_without_anchors": round(sum(r.covered_confidence < threshold for r in rankings) / n, 4),
        "refused": round(sum(not r.answerable(threshold) for r in rankings) / n, 4),
    }
