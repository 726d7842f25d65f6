"""Gradio, hardened: the event queue bounded and alive, and no user text in its error output.

A burst of ~2,000 `queue/join` calls from distinct session hashes overflows Gradio's per-session message cache (an
LRU of 2,000 entries): a session still waiting for its result is evicted, `Queue.send_message` raises KeyError
inside the processing loop, the loop ends and marks the queue stopped, and every later UI event gets 503 "Queue is
stopped" until a restart. Three defences, in order:

1. the queue is bounded (`ui_queue_size` waiting events, `ui_concurrency` running ones): a flood gets Gradio's
   "queue full" (503) instead of growing memory without limit; and every event must go through it: Gradio's
   direct REST routes (`/gradio_api/run/*`), which skip the queue and its bounds, answer 404 (`api_open=False`);
2. an unknown event number is a 404 (Gradio raised KeyError, a 500), and a message for a session that is no longer in the cache is dropped (its client has been evicted and will never
   read it) instead of killing the loop;
3. should the loop stop anyway, `revive` restarts it; the server calls it on every UI request and on `/healthz`,
   which reports the queue's state, so the UI recovers without a restart.

Gradio prints the traceback of any failing event to stderr, and its messages quote the inputs ("Received inputs:
[...]", "Value: … is not in the list of choices"). Those are merchants' questions; its modules get a `traceback`
whose `print_exc` logs the exception type and where it happened, never the message.
"""

import logging
import sys
import traceback

import gradio.blocks
import gradio.queueing
import gradio.routes
import gradio.utils
from fastapi import HTTPException
from gradio import route_utils
from gradio.queueing import Queue

log = logging.getLogger(__name__)

_original_get_fn = route_utils.get_fn


def _get_fn(blocks, api_name, body):
    """An unknown `fn_index` is the client's mistake (404), not a KeyError that Gradio turns into a 500."""
    try:
        return _original_get_fn(blocks, api_name, body)
    except (KeyError, IndexError):
        raise HTTPException(404, "没有这个界面事件。/ No such UI event.") from None


route_utils.get_fn = _get_fn


class _QuietTraceback:
    """Stands in for the `traceback` module inside Gradio's modules: everything as usual except `print_exc`."""

    def __getattr__(self, name):
        return getattr(traceback, name)

    @staticmethod
    def print_exc(*args, **kwargs):
        kind, error, tb = sys.exc_info()
        where = traceback.extract_tb(tb)[-1] if tb else None
        log.error("UI event failed: %s at %s:%s (message withheld: it may quote user input)",
                  kind.__name__ if kind else "error", where.filename if where else "?", where.lineno if where else "?")


for _module in (gradio.queueing, gradio.routes, gradio.utils, gradio.blocks):
    if getattr(_module, "traceback", None) is traceback:
        _module.traceback = _QuietTraceback()

_original_send = Queue.send_message


def _send_message(self, event, event_message):
    try:
        return _original_send(self, event, event_message)
    except KeyError:  # the session was evicted from the LRU cache: nobody can receive this message any more
        log.warning("UI queue: dropped a message for an evicted session")
        return None


Queue.send_message = _send_message


def bound(blocks, max_size: int, concurrency: int):
    """Configure the queue of `blocks` (before it is mounted)."""
    return blocks.queue(max_size=max_size, default_concurrency_limit=concurrency, api_open=False)


def state(blocks) -> str:
    """`running`, `stopped`, or `not started` (before the server's startup event)."""
    queue = getattr(blocks, "_queue", None)
    if queue is None or not getattr(blocks, "is_running", False):
        return "not started"
    return "stopped" if queue.stopped else "running"


def revive(blocks) -> bool:
    """Restart a stopped queue from inside the running event loop; True if it had to be restarted."""
    if state(blocks) != "stopped":
        return False
    log.error("UI queue had stopped; restarting it")
    queue = blocks._queue
    queue.stopped = False
    queue.start()
    return True
