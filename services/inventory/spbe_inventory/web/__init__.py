"""Web pages for Aptika staff and OPD administrators, in Bahasa Indonesia (Jinja2 + htmx).

Every page is a route of the inventory app, so the same authorising dependency, route policy
(`api.security.POLICY`) and OPD scope (the repositories) apply as to the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import errors
from .render import HERE


def install(app: FastAPI) -> None:
    """The pages, their static files and their error pages; after `spbe_common.api.install`."""
    from .routes import routers

    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app)
