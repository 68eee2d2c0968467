"""Limits on events: what a consumer accepts before it spends memory, CPU or disk on a record.

A record beyond any of these is an invalid event: it is set aside (rejected_event table and the
dead-letter topic, with its reason) and ingestion goes on.

- record value (the event's JSON `data`): at most MAX_RECORD_BYTES (1 MiB), exactly one JSON
  object (nothing before or after it), valid UTF-8 with no lone surrogate and no NUL (`\\u0000`);
- CloudEvents headers: at most MAX_HEADER_BYTES (16 KiB) in all, each attribute bounded, no NUL;
- times (`ce_time` and every time in `data`) carry a timezone (RFC 3339 offset or `Z`);
- lists: MAX_SERVICES (1,024) services per `asset.observed`, MAX_ADDRESSES (64) addresses per
  asset, MAX_RANGES (256) ranges or exclusions per scope, MAX_URLS (32) URLs and
  MAX_SERVICE_AREAS (32) service areas per application;
- strings: every text field has a maximum length (see payloads.py; MAX_TEXT, 2,000 characters,
  for the longest free text; URLs at most 2,083, pydantic's HttpUrl bound).

A record set aside keeps at most KEPT_BYTES (64 KiB) of its value and 256 bytes of each header,
in the rejected_event table and on the dead-letter topic, so that setting it aside always fits.

Tightening these needs no SCHEMA_VERSION bump: a producer of valid events (the collector, the
sheet importer) never came near them, and the wire format is unchanged.
"""

MAX_RECORD_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_SERVICES = 1024
MAX_ADDRESSES = 64
MAX_RANGES = 256
MAX_RANGE_LENGTH = 100  # a CIDR, an address or an nmap range such as 10.0.0.1-50
MAX_URLS = 32
MAX_SERVICE_AREAS = 32
MAX_TEXT = 2000
MAX_NAME = 200
KEPT_BYTES = 64 * 1024
KEPT_HEADER_BYTES = 256
