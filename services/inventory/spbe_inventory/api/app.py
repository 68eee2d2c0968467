"""The inventory API: built by `create_app(settings, engine)` at start-up, never at import."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text

from spbe_common import api, metrics
from spbe_common.settings import Environment
from spbe_inventory import migrate, web
from spbe_inventory.accounts.routes import accounts_router
from spbe_inventory.accounts.routes import router as auth_router
from spbe_inventory.api import hot
from spbe_inventory.api.deps import get_principal
from spbe_inventory.api.security import authorize
from spbe_inventory.applications.routes import router as applications_router
from spbe_inventory.assets.routes import asset_list
from spbe_inventory.assets.routes import router as assets_router
from spbe_inventory.evaluation.routes import router as evaluation_router
from spbe_inventory.infrastructure.routes import router as infrastructure_router
from spbe_inventory.ingest.routes import router as ingest_router
from spbe_inventory.opd.routes import router as opd_router
from spbe_inventory.quality import collector as quality_collector
from spbe_inventory.review.routes import router as review_router
from spbe_inventory.settings import InventorySettings
from spbe_inventory.web import evaluation
from spbe_inventory.web.imports import upload_limits

from .listing import json_response

log = logging.getLogger(__name__)
DESCRIPTION = """Catalogue of the ICT assets and applications of a Pemerintah Kabupaten/Kota:
OPD, servers and network devices with their services, applications, data centres and
intra-network links; each record with its history. Observed (scan) and declared (person)
state are kept apart; declared fields always win."""


def create_app(
    settings: InventorySettings, engine: Engine, registry: CollectorRegistry | None = None
) -> FastAPI:
    public_docs = settings.environment is Environment.DEVELOPMENT
    app = FastAPI(
        title="SPBE Inventory",
        version="0.1.0",
        description=DESCRIPTION,
        responses=api.ERROR_RESPONSES,
        dependencies=[Depends(authorize)],  # every route: authenticated and in POLICY
        **api.docs_urls(public_docs),
    )
    limits = upload_limits(settings) | evaluation.upload_limits(settings)
    api.install(app, settings.max_body_bytes, limits, web.errors.refused_target)
    app.state.settings = settings
    app.state.engine = engine
    app.state.registry = registry or CollectorRegistry()
    metrics.install(app, app.state.registry, "inventory")
    quality_collector.register(app.state.registry, engine, settings)
    for router in (
        auth_router,
        accounts_router,
        opd_router,
        assets_router,
        applications_router,
        infrastructure_router,
        ingest_router,
        evaluation_router,
        review_router,
    ):
        app.include_router(router)
    _add_health(app)
    web.install(app)
    api.add_docs(app, public_docs, get_principal)
    hot.install(app, {"/api/v1/assets": asset_list})
    return app


def _add_health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        """Liveness: the process answers."""
        return json_response({"status": "ok"})

    @app.get("/readyz", tags=["health"])
    def readyz(request: Request) -> Response:
        """Readiness: the database answers and its schema is at the newest migration."""
        engine: Engine = request.app.state.engine
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                current = migrate.current_revision(conn)
        except Exception:  # any failure means not ready; the log says why, the answer does not
            log.warning("not ready: the database does not answer", exc_info=True)
            return json_response({"status": "unavailable", "reason": "database unavailable"}, 503)
        head = migrate.head_revision()
        if current != head:
            return json_response({"status": "unavailable", "reason": "schema not migrated"}, 503)
        return json_response({"status": "ready", "schema": current})

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
