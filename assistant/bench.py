"""`assistant bench`: cold start, warm latency, build times and peak memory, measured in fresh processes.

Everything runs on a temporary copy of the corpus and index, so benchmarking never touches the live index.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from assistant.config import Settings
from assistant.evaluate import load_eval_set

_PROBE = """
import json, sys, time
start = time.time()
from assistant.config import load_settings
from assistant.knowledge import KnowledgeBase
settings = load_settings(overrides={{"corpus_dir": {corpus!r}, "index_dir": {index!r}, "encoder": {encoder!r},
                                    "encoder_model": {model!r}, "auto_build": False}})
questions = json.load(open({questions!r}, encoding="utf-8"))
kb = KnowledgeBase.open(settings, mode={mode!r})
kb.ask(questions[0])
first = time.time()
latencies = []
for _ in range({repeats}):
    for q in questions:
        t = time.perf_counter()
        kb.ask(q)
        latencies.append((time.perf_counter() - t) * 1000)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (large) benchmarking parent.
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"first_answer_at": first, "start": start, "latencies_ms": latencies, "peak_rss_mb": hwm / 1024}}))
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _probe(settings: Settings, corpus: Path, index: Path, questions: Path, mode: str, repeats: int) -> dict:
    code = _PROBE.format(corpus=str(corpus), index=str(index), encoder=settings.encoder,
                         model=settings.encoder_model, questions=str(questions), mode=mode, repeats=repeats)
    launched = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    lat = data["latencies_ms"]
    return {
        "cold_start_s": round(data["first_answer_at"] - launched, 3),
        "warm_p50_ms": round(_percentile(lat, 0.50), 2),
        "warm_p95_ms": round(_percentile(lat, 0.95), 2),
        "warm_max_ms": round(max(lat), 2),
        "questions": len(lat),
        "peak_rss_mb": round(data["peak_rss_mb"], 1),
    }


def _edit_one_faq(corpus: Path) -> str:
    """Change one FAQ entry the way a staff editor would: add a paraphrase."""
    path = corpus / "faq.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    item = data["items"][0]
    item["paraphrases"].append(f"{item['question']}（基准测试改写 {time.time():.0f}）")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return item["id"]


def _build(corpus: Path, index: Path, settings: Settings) -> dict:
    from assistant.corpus import load_corpus
    from assistant.encoders import create_encoder
    from assistant.index import build_index
    from assistant.segment import Segmenter

    started = time.perf_counter()
    loaded = load_corpus(corpus)
    manifest = build_index(loaded, create_encoder(settings), Segmenter(loaded.userdict_path), index)
    return {"seconds": round(time.perf_counter() - started, 3), "embedded": manifest["counts"]["embedded_now"],
            "passages": manifest["counts"]["passages"]}


def run_bench(settings: Settings, questions_file: str, repeats: int = 1) -> dict:
    """Return the benchmark numbers as a JSON-ready dict."""
    data = load_eval_set(questions_file)
    questions = [item.q for item in data.in_scope + data.out_of_scope]
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        tmp = Path(tmp)
        corpus, index = tmp / "corpus", tmp / "index"
        shutil.copytree(settings.corpus_dir, corpus)
        qfile = tmp / "questions.json"
        qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        full = _build(corpus, index, settings)
        edited = _edit_one_faq(corpus)
        incremental = _build(corpus, index, settings)
        hybrid = _probe(settings, corpus, index, qfile, "hybrid", repeats)
        bm25 = _probe(settings, corpus, index, qfile, "bm25", repeats)
    return {
        "encoder": settings.encoder,
        "full_build_s": full["seconds"],
        "full_build_passages": full["passages"],
        "incremental_build_s": incremental["seconds"],
        "incremental_reembedded": incremental["embedded"],
        "incremental_edit": f"faq item {edited}: one paraphrase added",
        "hybrid": hybrid,
        "bm25_only": bm25,
    }
