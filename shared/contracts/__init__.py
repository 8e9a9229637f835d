"""Versioned event contracts: the only Python API between services.

An event class names its topic, type and schema version. Events are past tense, immutable
(frozen) and tolerant readers (unknown fields are ignored). Golden JSON samples live in
tests/shared/contracts/golden/.
"""

from shared.contracts.base import Event, event_class, registered_events
from shared.contracts.topics import ALL_TOPICS, DEAD_LETTER_SUFFIX, SUBSCRIPTIONS, Topic

__all__ = ["ALL_TOPICS", "DEAD_LETTER_SUFFIX", "SUBSCRIPTIONS", "Event", "Topic", "event_class",
           "registered_events"]

# import every contract module so the registry knows each event type
from shared.contracts import auction as _auction  # noqa: F401
from shared.contracts import financial as _financial  # noqa: F401
from shared.contracts import identity as _identity  # noqa: F401
from shared.contracts import registry as _registry  # noqa: F401
from shared.contracts import transfers as _transfers  # noqa: F401
