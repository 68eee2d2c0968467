"""Katalog: the tables of assets, services, applications, OPD, facilities and intra-network links, with their CSV / XLSX export."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
