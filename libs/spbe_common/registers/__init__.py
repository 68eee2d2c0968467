"""OPD spreadsheet registers (XLSX/CSV, Bahasa Indonesia headers): the format is a contract shared
by the collector (which publishes them as declared events) and the inventory (which imports an
upload from its web page). Reading and validation only; nothing here publishes or writes.

A register is read as OPD really keep them: the header row is found below title rows on any
sheet, header variants are recognised, blank/total/signature rows are skipped with a reason."""

from .enums import RegisterKind
from .get import RegisterRejected
from .read import check_catalogue, read_register
from .report import api_field, api_values, importable, to_json
from .schemas import COLUMNS, Column, ParsedRegister, RowError, RowWarning, Skipped

__all__ = [
    "COLUMNS",
    "Column",
    "ParsedRegister",
    "RegisterKind",
    "RegisterRejected",
    "RowError",
    "RowWarning",
    "Skipped",
    "api_field",
    "api_values",
    "check_catalogue",
    "importable",
    "read_register",
    "to_json",
]
