"""What the chat counts for Prometheus: replies by route, latency, errors, refusals, the knowledge base's revision.

One small component, handed to the :class:`~chatbot.assistant.Assistant` (where every reply is made, whichever edge
asked: the chat page, Gradio's ``/ask``, ``/api/v1``), with a registry of its own so that two servers in one process
(the tests) never share counts. ``uplifted serve`` shows it at ``/metrics`` only with ``UPLIFTED_METRICS_ENABLED``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from chatbot.reply import Route

log = logging.getLogger(__name__)

# Reply latency: canned replies take milliseconds, extractive answers ~60-300 ms, an LLM answer seconds.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0)
REFUSALS = ("rate_limited", "too_long", "booking_rate_limited")
ERRORS = ("reply", "store")


class Metrics:
    """Counters, a histogram and a gauge in one registry; ``render()`` is the text Prometheus scrapes."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.replies = Counter("uplifted_replies", "Replies sent to patients, by route.", ["route"],
                               registry=self.registry)
        self.latency = Histogram("uplifted_reply_seconds", "Seconds from a patient's message to its final reply.",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("uplifted_errors", "Failures while replying ('reply': the patient got the error "
                              "reply; 'store': the reply was sent but not stored).", ["stage"], registry=self.registry)
        self.refused = Counter("uplifted_refused", "Messages and booking requests refused (rate limits, over-long "
                               "messages).", ["reason"], registry=self.registry)
        self.revision = Gauge("uplifted_knowledge_base_revision", "The knowledge base's revision (grows with every "
                              "change; NaN when the catalog can't be read).", registry=self.registry)
        for route in Route:  # every series exists from the start, at 0, so rates and alerts see it
            self.replies.labels(route.value)
        for stage in ERRORS:
            self.errors.labels(stage)
        for reason in REFUSALS:
            self.refused.labels(reason)

    def replied(self, route: str, seconds: float) -> None:
        self.replies.labels(str(route)).inc()
        self.latency.observe(max(0.0, seconds))

    def failed(self, stage: str) -> None:
        self.errors.labels(stage).inc()

    def refusal(self, reason: str) -> None:
        self.refused.labels(reason).inc()

    def refusals(self) -> dict[str, int]:
        """How many of each refusal this process has counted since it started (``REFUSALS`` order)."""
        return {reason: int(self.registry.get_sample_value("uplifted_refused_total", {"reason": reason}) or 0)
                for reason in REFUSALS}

    def follow_revision(self, read: Callable[[], int]) -> None:
        """Read the knowledge base's revision at each scrape (a staff sync shows at once)."""

        def current() -> float:
            try:
                return float(read())
            except Exception:  # a broken catalog must not break the scrape; /readyz says what is wrong
                log.warning("could not read the knowledge base's revision", exc_info=True)
                return math.nan

        self.revision.set_function(current)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
