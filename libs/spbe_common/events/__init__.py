"""The event contract every service imports: types, topics, payloads and the envelope."""

from .envelope import Event, Headers, InvalidEvent, from_binary, natural_key, new_event, to_binary
from .types import SCHEMA_VERSION, TOPIC_OF, EventType, Topic

__all__ = [
    "SCHEMA_VERSION",
    "TOPIC_OF",
    "Event",
    "EventType",
    "Headers",
    "InvalidEvent",
    "Topic",
    "from_binary",
    "natural_key",
    "new_event",
    "to_binary",
]
