"""The event bus: one interface, an embedded backend and a Kafka backend."""

from spbe_common.settings import BusBackend, BusSettings

from .base import Bus, Consumer, Producer, Record, dead_letter, publish
from .embedded import EmbeddedBus


def make_bus(settings: BusSettings) -> Bus:
    """Build the configured backend (never at import time)."""
    if settings.bus is BusBackend.KAFKA:
        from .kafka import KafkaBus  # imported lazily: kafka-python is only needed for Kafka

        return KafkaBus(settings, topic_prefix=settings.kafka_topic_prefix)
    return EmbeddedBus(settings.log_path)


__all__ = [
    "Bus",
    "Consumer",
    "EmbeddedBus",
    "Producer",
    "Record",
    "dead_letter",
    "make_bus",
    "publish",
]
