"""OPD spreadsheet registers (XLSX/CSV, Bahasa Indonesia headers): the format is a contract shared
by the collector (which publishes them as declared events) and the inventory (which imports an
upload from its web page). Reading and validation only; nothing here publishes or writes."""

from .enums import RegisterKind
from .get import RegisterRejected
from .read import read_register
from .schemas import COLUMNS, Column, ParsedRegister, RowError

__all__ = [
    "COLUMNS",
    "Column",
    "ParsedRegister",
    "RegisterKind",
    "RegisterRejected",
    "RowError",
    "read_register",
]
