"""Every router of the web pages, in the order their paths must be matched."""

from __future__ import annotations

from fastapi import APIRouter

from . import auth


def routers() -> list[APIRouter]:
    return [auth.router]
