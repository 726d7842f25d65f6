"""Issue 10, item 7 (command line): `assistant assess` without a terminal reads one answer per line or says what it
needs, and output piped into `head` ends quietly (no BrokenPipeError traceback). Real processes, real pipes."""

import subprocess
import sys

import pytest


@pytest.fixture()
def dirs(built):
    return ["--corpus-dir", str(built / "corpus"), "--index-dir", str(built / "index")]


def assistant(*args, stdin=subprocess.DEVNULL, input_text=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], input=input_text,
                          stdin=None if input_text is not None else stdin, capture_output=True, text=True,
                          timeout=timeout)


def test_assess_without_terminal_says_what_it_needs(dirs):
    r = assistant("assess", "registration", *dirs)  # stdin is /dev/null: not a terminal, no answers
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "--answer operator=" in r.stderr and "--json" in r.stderr and "逐行" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_assess_reads_answers_line_by_line(dirs):
    r = assistant("assess", "registration", *dirs, input_text="1\n其他商品或者服务\n\nno\n6万\n")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "您目前以什么身份在网上经营？ → 个人，尚未办理市场主体登记" in r.stdout
    assert "→ 60,000 元（不超过10万元）" in r.stdout
    assert "【结论】可以不办理市场主体登记，但须公示自我声明" in r.stdout


def test_assess_line_mode_stops_at_the_missing_answer(dirs):
    r = assistant("assess", "registration", *dirs, "--answer", "operator=individual", input_text="other\n")
    assert r.returncode == 2 and "license_required" in r.stderr, (r.stdout, r.stderr)


def test_assess_line_mode_rejects_a_bad_answer(dirs):
    r = assistant("assess", "registration", *dirs, input_text="robot\n")
    assert r.returncode == 2 and "可选的回答" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_complete_answers_still_print_the_outcome(dirs):
    r = assistant("assess", "registration", *dirs, "--answer", "operator=registered")
    assert r.returncode == 0 and "【结论】已登记" in r.stdout, (r.stdout, r.stderr)


@pytest.mark.parametrize("command", [
    "assess --list",
    "ask --batch QUESTIONS",
])
def test_output_piped_into_head_ends_quietly(dirs, tmp_path, command):
    questions = tmp_path / "questions.txt"
    questions.write_text("\n".join(["刷单违法吗", "直播带货要展示哪些信息", "平台要保存交易信息多久"] * 20) + "\n",
                         encoding="utf-8")
    args = " ".join([command.replace("QUESTIONS", str(questions)), *dirs])
    r = subprocess.run(f"{sys.executable} -m assistant.cli {args} | head -n 1", shell=True, capture_output=True,
                       text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.stdout.strip(), r.stderr
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr
