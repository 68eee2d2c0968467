"""JSON Schemas of the events: the CloudEvents envelope with each type's data."""

import json
from typing import Any

from .envelope import SCHEMA_BASE
from .payloads import PAYLOAD_OF_TYPE
from .types import SCHEMA_VERSION, SPEC_VERSION


def event_schema(event_type: str) -> dict[str, Any]:
    data = PAYLOAD_OF_TYPE[event_type].model_json_schema(mode="serialization")
    defs = data.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{event_type}.v{SCHEMA_VERSION}.json",
        "title": f"{event_type} (schema version {SCHEMA_VERSION})",
        "description": "CloudEvents 1.0 event in structured form; on the bus the attributes travel as ce_ headers.",
        "type": "object",
        "required": ["specversion", "id", "type", "source", "time", "data"],
        "properties": {
            "specversion": {"const": SPEC_VERSION},
            "id": {"type": "string", "minLength": 1},
            "type": {"const": event_type},
            "source": {"type": "string", "minLength": 1},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"type": "string"},
            "schemaversion": {"type": "integer", "maximum": SCHEMA_VERSION},
            "scanid": {"type": "string"},
            "scope": {"type": "string"},
            "subject": {"type": "string"},
            "data": data,
        },
        "$defs": defs,
    }


def render_schemas() -> dict[str, str]:
    return {
        f"{t}.v{SCHEMA_VERSION}.json": json.dumps(event_schema(t), indent=2, sort_keys=True) + "\n"
        for t in PAYLOAD_OF_TYPE
    }
