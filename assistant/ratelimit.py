"""Per-client request quota, on the `limits` library: in process memory by default, in Redis when
`rate_limit_storage` is a `redis://` URL, so that a client over quota on one replica is over quota on all.

Sliding-window counters: a client may make `per_minute` requests in any minute, with no window edge at which twice
the quota passes. Clients are keyed by address, IPv6 clients by their /64 network (one subscriber usually holds a
whole /64, so per-address buckets would be trivially dodged). Nobody is exempt by address: behind a reverse proxy,
the proxy must forward the client address and be listed in `trusted_proxies`; otherwise all clients share the
proxy's bucket, which is safe (a flood through the proxy is still limited), not open.
"""

import ipaddress
import logging
import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

log = logging.getLogger(__name__)


def client_key(host: str | None) -> str:
    """The bucket a client address counts against: the address, or its /64 network for IPv6."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return host
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


class RateLimiter:
    """`check(client)` returns 0 when the request may pass, else the seconds to wait before retrying.

    When the shared storage cannot be reached the request passes (and the failure is logged): an outage of the
    quota store must not take the service down with it.
    """

    def __init__(self, per_minute: int, storage: str = "memory://"):
        self.per_minute = per_minute
        self.item = parse(f"{per_minute}/minute") if per_minute > 0 else None
        self.storage_uri = storage
        try:
            self.storage = storage_from_string(storage)
        except Exception as exc:  # noqa: BLE001 - unknown scheme, or redis:// without the redis package
            from assistant.errors import ConfigError

            raise ConfigError(f"rate_limit_storage {self._safe_uri()!r} cannot be used ({exc}); use memory:// or a "
                              "redis:// URL with the scale extra installed (pip install -e '.[serve,scale]')") from None
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)
        self._warned = 0.0

    @property
    def enabled(self) -> bool:
        return self.item is not None

    def check(self, client: str | None) -> int:
        if not self.enabled:
            return 0
        key = client_key(client)
        try:
            if self.strategy.hit(self.item, "requests", key):
                return 0
            reset = self.strategy.get_window_stats(self.item, "requests", key).reset_time
        except Exception as exc:  # noqa: BLE001 - any storage failure: let the request through, say so
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                log.warning("rate-limit storage %s unreachable (%s); not limiting", self._safe_uri(), exc)
            return 0
        return max(1, math.ceil(reset - time.time()))

    def healthy(self) -> bool:
        try:
            return bool(self.storage.check())
        except Exception:  # noqa: BLE001
            return False

    def _safe_uri(self) -> str:
        return self.storage_uri.split("@")[-1]  # no password in logs
