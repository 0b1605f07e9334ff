"""A store that stalls must not hold the form handler: after a few failures in a row, answer at once.

Each failed store call takes up to the client's time-outs (a few seconds, helpt.stores.dynamodb CLIENT_CONFIG)
and holds one of the function's reserved instances all that time, so a stalled table would soon hold them all
and Lambda would refuse the rest with API Gateway's bare error. After `threshold` failures in a row the breaker
opens: for `cool_off` seconds every submission is answered at once with the problem page that keeps the
answers and gives the phone line (F7), without calling the store. Then one request tries again: stored, and the
breaker closes; failed, and it stays open another `cool_off`. One breaker per process, as there is one store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

THRESHOLD = 2
COOL_OFF_SECONDS = 5.0


class Breaker:
    def __init__(
        self, threshold: int = THRESHOLD, cool_off: float = COOL_OFF_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.threshold, self.cool_off, self.clock = threshold, cool_off, clock
        self._failures = 0
        self._open_until = 0.0
        self._lock = threading.Lock()  # the preview serves requests on threads; Lambda one at a time

    def allows(self) -> bool:
        """Whether to call the store now. Once the cool-off is over, one caller gets through to try."""
        with self._lock:
            if self._failures < self.threshold:
                return True
            now = self.clock()
            if now < self._open_until:
                return False
            self._open_until = now + self.cool_off  # the others wait while this one tries
            return True

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._open_until = self.clock() + self.cool_off

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._failures >= self.threshold and self.clock() < self._open_until
