"""Names of the event contract: event types, topics and the schema version."""

from enum import StrEnum

SCHEMA_VERSION = (
    2  # 2: the asset register facts of asset.declared, licences of application.declared
)
SPEC_VERSION = "1.0"


class EventType(StrEnum):
    """Every event is named `<entity>.<past-tense verb>`."""

    SCAN_STARTED = "scan.started"
    SCAN_COMPLETED = "scan.completed"
    SCAN_REQUESTED = "scan.requested"
    ASSET_OBSERVED = "asset.observed"
    ASSET_DECLARED = "asset.declared"
    APPLICATION_OBSERVED = "application.observed"
    APPLICATION_DECLARED = "application.declared"
    SCORE_COMPUTED = "score.computed"


class Topic(StrEnum):
    """Broker topics. Inventory-bound events share one topic so one scope stays ordered."""

    EVENTS = "spbe.events"
    DEAD_LETTER = "spbe.events.dlq"
    SCORES = "spbe.scores"
    SCAN_REQUESTS = "spbe.scan-requests"  # commands to the collector: the inventory writes them


TOPIC_OF: dict[EventType, Topic] = {
    EventType.SCAN_STARTED: Topic.EVENTS,
    EventType.SCAN_COMPLETED: Topic.EVENTS,
    EventType.ASSET_OBSERVED: Topic.EVENTS,
    EventType.ASSET_DECLARED: Topic.EVENTS,
    EventType.APPLICATION_OBSERVED: Topic.EVENTS,
    EventType.APPLICATION_DECLARED: Topic.EVENTS,
    EventType.SCORE_COMPUTED: Topic.SCORES,
    EventType.SCAN_REQUESTED: Topic.SCAN_REQUESTS,
}
