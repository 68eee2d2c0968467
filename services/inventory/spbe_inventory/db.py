"""The inventory's database helpers: the shared ones of spbe_common, under the names it imports."""

from spbe_common.db import DateText, EnumText, UTCDateTime, make_engine, utcnow

__all__ = ["DateText", "EnumText", "UTCDateTime", "make_engine", "utcnow"]
