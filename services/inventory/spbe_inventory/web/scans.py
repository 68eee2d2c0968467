"""Pemindaian: the scopes of the user's OPD, starting a scan and following it."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
