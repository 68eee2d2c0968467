"""Penilaian: scoring runs, their indicator levels and evidence, comparisons, the workbook."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
