"""Impor: an OPD's spreadsheet, its dry-run report row by row, then the commit."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
