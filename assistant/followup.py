"""Resolve an elliptical follow-up ("那如果超过10万呢？") against the previous user turns."""

import re

# Openers and endings that mark a question as continuing the previous one.
_CONTINUATION = re.compile(r"^(那|那么|那如果|如果|要是|假如|还有|另外|再问|然后|那要是|那我|那他|那她|那个|那种|那平台|那商家)")
_TRAILING = re.compile(r"(呢|咋办|怎么办|行吗|可以吗|也算吗|也要吗|也是吗|还要吗|算不算)[？?。!！\s]*$")
MAX_CONTEXT_CHARS = 200


def user_turns(history: list | None) -> list[str]:
    """Accept plain strings, {"role": "user", "content": ...} messages or {"question": ...} turns."""
    turns = []
    for turn in history or []:
        if isinstance(turn, str):
            text = turn
        elif isinstance(turn, dict) and turn.get("role", "user") == "user":
            text = turn.get("content") or turn.get("question") or ""
        else:
            continue
        if isinstance(text, str) and text.strip():
            turns.append(text.strip())
    return turns


def is_elliptical(question: str) -> bool:
    stripped = question.strip()
    han = len(re.findall(r"[\u4e00-\u9fff]", stripped))
    return bool(_CONTINUATION.match(stripped)) or (han <= 12 and bool(_TRAILING.search(stripped)))


def resolve(question: str, history: list | None) -> str:
    """The text to retrieve with: the question, prefixed by the last user turn when it reads as a follow-up."""
    turns = user_turns(history)
    if not turns or not is_elliptical(question):
        return question
    return f"{turns[-1][-MAX_CONTEXT_CHARS:]} {question}"
