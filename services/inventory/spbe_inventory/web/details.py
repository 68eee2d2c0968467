"""Detail pages: a record, its relationships and its history timeline."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
