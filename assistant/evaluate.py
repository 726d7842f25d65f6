"""Quality on evaluation sets: retrieval (recall@k, MRR per mode) and the served answers (paragraph-level primary
citation, citations per answer and their precision, and how often each scope is chosen).

An evaluation set is YAML with `in_scope` items {q, articles: [Measures article numbers, primary first],
primary: ["measures:8:3"], relevant: [other citations an answer may rightly show], source} and `out_of_scope` items
{q, scope: not_covered | partial, articles (for partial: the related Measures articles), source}.
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.corpus import Citation
from assistant.errors import AssistantError
from assistant.knowledge import KnowledgeBase

KS = (1, 3, 5)
SCOPES = ("covered", "partial", "not_covered")
DEFAULT_SETS = ("eval/dev.yaml", "eval/real.yaml")


@dataclass
class Item:
    q: str
    articles: list[int]
    primary: list[str] = field(default_factory=list)
    relevant: list[str] = field(default_factory=list)
    scope: str = "covered"


@dataclass
class EvalSet:
    name: str
    in_scope: list[Item]
    out_of_scope: list[Item]


def _citations(value, path: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AssistantError(f"{path}: {where}: expected a list of citations such as \"measures:8:3\"")
    for v in value:
        try:
            Citation.parse(v)
        except ValueError as exc:
            raise AssistantError(f"{path}: {where}: {exc}") from None
    return value


def load_eval_set(path: str | Path) -> EvalSet:
    """Read an evaluation YAML (see the module docstring)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssistantError(f"{path}: cannot read evaluation set: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AssistantError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise AssistantError(f"{path}: expected a mapping with in_scope and out_of_scope lists")
    inside, outside = [], []
    for i, item in enumerate(data.get("in_scope") or []):
        if not isinstance(item, dict) or not str(item.get("q", "")).strip() or not item.get("articles"):
            raise AssistantError(f"{path}: in_scope[{i}]: expected q and a non-empty articles list")
        inside.append(Item(str(item["q"]), [int(a) for a in item["articles"]],
                           _citations(item.get("primary"), path, f"in_scope[{i}].primary"),
                           _citations(item.get("relevant"), path, f"in_scope[{i}].relevant")))
    for i, item in enumerate(data.get("out_of_scope") or []):
        if not isinstance(item, dict) or not str(item.get("q", "")).strip():
            raise AssistantError(f"{path}: out_of_scope[{i}]: expected q")
        scope = item.get("scope", "not_covered")
        if scope not in ("partial", "not_covered"):
            raise AssistantError(f"{path}: out_of_scope[{i}].scope: expected partial or not_covered, got {scope!r}")
        outside.append(Item(str(item["q"]), [int(a) for a in item.get("articles") or []], scope=scope))
    return EvalSet(Path(path).name, inside, outside)


def ranked_articles(kb: KnowledgeBase, question: str) -> tuple[list[int], bool]:
    """Article ranking independent of the answer threshold (so recall is not hidden by refusals) and the decision."""
    ranking = kb.rank(question, top_k=max(KS))
    articles = []
    for key, _ in ranking.articles:
        source, number = key.split(":")[:2]
        if source == "measures" and int(number) not in articles:
            articles.append(int(number))
    return articles, ranking.answerable(kb.threshold)


def scope_of(result: dict) -> str:
    return result.get("scope") or ("covered" if result["answered"] else "not_covered")


def _matches(citation: dict, wanted: str, paragraph_level: bool) -> bool:
    cite = Citation.parse(wanted)
    if (citation["source"], citation["article"]) != (cite.source, cite.article):
        return False
    return not paragraph_level or cite.paragraph is None or citation["paragraph"] == cite.paragraph


def relevant(citation: dict, item: Item) -> bool:
    """A shown citation supports the answer when it is one of the item's articles, or one the labels list."""
    if citation["source"] == "measures" and citation["article"] in item.articles:
        return True
    return any(_matches(citation, wanted, False) for wanted in [*item.primary, *item.relevant])


def evaluate(kb: KnowledgeBase, data: EvalSet, details: bool = False, answers: bool = True) -> dict:
    """Retrieval metrics from the ranking; answer metrics from `kb.ask`, the function every surface calls."""
    recall = {k: 0 for k in KS}
    mrr, answered, refused = 0.0, 0, 0
    primary_hits = primary_total = shown = supporting = answers_shown = 0
    scopes = {"in": dict.fromkeys(SCOPES, 0), "out": dict.fromkeys(SCOPES, 0), "partial_gold": dict.fromkeys(SCOPES, 0)}
    misses, false_answers, wrong_primary = [], [], []
    for item in data.in_scope:
        articles, ok = ranked_articles(kb, item.q)
        answered += ok
        rank = next((i + 1 for i, a in enumerate(articles) if a in item.articles), None)
        for k in KS:
            recall[k] += rank is not None and rank <= k
        mrr += 1.0 / rank if rank else 0.0
        if details and rank != 1:
            misses.append({"q": item.q, "gold": item.articles, "got": articles[:3], "answered": ok})
        if not answers:
            continue
        result = kb.ask(item.q)
        scopes["in"][scope_of(result)] += 1
        citations = result["citations"]
        if result["answered"] and citations:
            answers_shown += 1
            shown += len(citations)
            supporting += sum(relevant(c, item) for c in citations)
        if item.primary:
            primary_total += 1
            hit = bool(citations) and any(_matches(citations[0], p, True) for p in item.primary)
            primary_hits += hit
            if details and not hit:
                first = citations[0]["label"] if citations else None
                wrong_primary.append({"q": item.q, "gold": item.primary, "got": first})
    for item in data.out_of_scope:
        articles, ok = ranked_articles(kb, item.q)
        refused += not ok
        scope = scope_of(kb.ask(item.q)) if answers else ("covered" if ok else "not_covered")
        scopes["out"][scope] += 1
        if item.scope == "partial":
            scopes["partial_gold"][scope] += 1
        if details and scope == "covered":
            false_answers.append({"q": item.q, "gold_scope": item.scope, "got": articles[:3]})
    n, m = max(len(data.in_scope), 1), max(len(data.out_of_scope), 1)
    report = {f"recall@{k}": round(recall[k] / n, 4) for k in KS}
    report.update(mrr=round(mrr / n, 4), answered=round(answered / n, 4), refused=round(refused / m, 4),
                  in_scope=len(data.in_scope), out_of_scope=len(data.out_of_scope))
    if answers:
        report.update({
            "primary@1": round(primary_hits / max(primary_total, 1), 4),
            "citations_per_answer": round(shown / max(answers_shown, 1), 2),
            "citation_precision": round(supporting / max(shown, 1), 4),
            "out_of_scope_as_covered": round(scopes["out"]["covered"] / m, 4),
            "scope_in": scopes["in"], "scope_out": scopes["out"], "scope_partial_gold": scopes["partial_gold"],
        })
    if details:
        report.update(misses=misses, false_answers=false_answers, wrong_primary=wrong_primary)
    return report


ROWS = [f"recall@{k}" for k in KS] + ["mrr", "answered", "refused"]
ANSWER_ROWS = ["primary@1", "citations_per_answer", "citation_precision", "out_of_scope_as_covered"]


def format_table(reports: dict[str, dict], name: str = "") -> str:
    """A Markdown table, one column per mode, as pasted into the README; answer metrics for the served mode."""
    head = "| metric | " + " | ".join(reports) + " |"
    lines = ([f"**{name}**", ""] if name else []) + [head, "|" + "---|" * (len(reports) + 1)]
    for row in ROWS:
        lines.append(f"| {row} | " + " | ".join(f"{r[row]:.3f}" for r in reports.values()) + " |")
    for row in ANSWER_ROWS:  # answer metrics exist for the served mode only
        if any(row in r for r in reports.values()):
            lines.append(f"| {row} | " + " | ".join(f"{r[row]:.3f}" if row in r else "—" for r in reports.values())
                         + " |")
    first = next(iter(reports.values()))
    lines.append(f"\n{first['in_scope']} in-scope and {first['out_of_scope']} out-of-scope questions.")
    served = reports.get("hybrid") or first
    if "scope_in" in served:
        lines.append("scope chosen — in-scope: " + _split(served["scope_in"]) + "; out-of-scope: " +
                     _split(served["scope_out"]) + (f"; of which labelled partial: {_split(served['scope_partial_gold'])}"
                                                     if sum(served["scope_partial_gold"].values()) else ""))
    return "\n".join(lines)


def _split(counts: dict) -> str:
    return ", ".join(f"{scope} {counts[scope]}" for scope in SCOPES)


def calibrate(kb: KnowledgeBase, sets: list[EvalSet], min_answered: float = 0.97,
              margins=(0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1)) -> dict:
    """The answer threshold that still answers `min_answered` of the first set's in-scope questions, and for each
    out-of-scope margin how often in-scope and out-of-scope questions of every set are then answered as covered.

    Out-of-scope topic anchors are ignored for the threshold on purpose: it is the safety net for questions no
    anchor describes, so it must work without them. The margin table is what `scope_margin` is chosen from: the
    largest margin that keeps the in-scope questions answered.
    """
    from assistant.scope import scope_of

    first = sets[0]
    inside = sorted(kb.rank(item.q).covered_confidence for item in first.in_scope)
    threshold = inside[int((1 - min_answered) * len(inside))] if inside else 0.0
    rankings = {data.name: ([kb.rank(i.q) for i in data.in_scope], [kb.rank(i.q) for i in data.out_of_scope])
                for data in sets}
    table = {}
    for margin in margins:
        row = {}
        for name, (inside_r, outside_r) in rankings.items():
            covered = lambda r: scope_of(r, kb.corpus, kb.threshold, margin).kind == "covered"  # noqa: E731
            row[name] = {"in_scope_covered": round(sum(map(covered, inside_r)) / max(len(inside_r), 1), 4),
                         "out_of_scope_covered": round(sum(map(covered, outside_r)) / max(len(outside_r), 1), 4)}
        table[str(margin)] = row
    out_first = rankings[first.name][1]
    n = max(len(out_first), 1)
    return {
        "answer_threshold": round(threshold - 5e-5, 4),
        "answered": round(sum(c >= threshold for c in inside) / max(len(inside), 1), 4),
        "refused_without_anchors": round(sum(r.covered_confidence < threshold for r in out_first) / n, 4),
        "scope_margin": table,
    }
