"""The scorer API: built by `create_app(settings, scorer, registry)` at start-up, never at import."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from spbe_common import api
from spbe_scorer.assessments.routes import router as assessments_router
from spbe_scorer.runs.routes import router as runs_router
from spbe_scorer.runs.service import Scorer
from spbe_scorer.settings import ScorerSettings

from .deps import json_response


def create_app(settings: ScorerSettings, scorer: Scorer, registry: CollectorRegistry) -> FastAPI:
    app = FastAPI(
        title="SPBE Scorer",
        version="0.1.0",
        description="Indeks SPBE / Pemdi runs from the inventory catalogue and manual assessments.",
        responses=api.ERROR_RESPONSES,
    )
    api.install(app, settings.scorer_max_body_bytes)
    app.state.settings = settings
    app.state.engine = scorer.engine
    app.state.scorer = scorer
    app.state.registry = registry
    app.include_router(runs_router)
    app.include_router(assessments_router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        return json_response({"status": "ok"})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
