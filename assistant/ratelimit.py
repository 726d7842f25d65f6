"""Per-client request quota for a public widget: a token bucket per client address, off for localhost.

Token bucket rather than fixed windows: a client may burst up to `per_minute` requests, then gets one more every
60/per_minute seconds, and there is no window edge at which 2 × the quota can pass.
"""

import ipaddress
import math
import threading
import time
from dataclasses import dataclass

MAX_CLIENTS = 10_000  # buckets kept in memory; full (idle) buckets are dropped first when this is exceeded


def is_local(host: str | None) -> bool:
    """Loopback clients (the machine itself, or a reverse proxy on it that does not forward the client address)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`check(client)` returns 0 when the request may pass, else the seconds to wait before retrying."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def check(self, client: str | None) -> int:
        if not self.enabled or is_local(client):
            return 0
        key = client or "unknown"
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return max(1, math.ceil((1 - bucket.tokens) / self._rate))

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self._rate >= self.per_minute]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]
