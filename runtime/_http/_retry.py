"""Backoff for 429 responses: exponential with jitter, honouring `Retry-After`.

Why jitter: many concurrent calls rate-limited together must not all come back at the same
instant. Why the deadline: a call never sleeps past the time it was given; when the next wait
would cross it, the client gives up with `rate_limit_exceeded` right away instead of sleeping
uselessly.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP date), or None.

    Fractional seconds are accepted (some APIs send them); negative/past values give 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):  # nan / inf
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the client waits after a 429.

    ``base_delay * 2**attempt`` (capped at ``max_delay``), jittered between half and all of it; a `Retry-After`
    value wins (plus up to ``retry_after_jitter`` of itself, so synchronized callers spread).
    ``max_attempts`` bounds retries when the call has no deadline.
    """

    base_delay: float = 0.5
    max_delay: float = 30.0
    max_attempts: int = 6
    retry_after_jitter: float = 0.1

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        r = rng or random
        if retry_after is not None:
            return retry_after + r.uniform(0.0, retry_after * self.retry_after_jitter)
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return r.uniform(ceiling / 2, ceiling)
