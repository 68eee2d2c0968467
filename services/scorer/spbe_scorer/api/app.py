"""The scorer API: built by `create_app(settings, scorer, registry)` at start-up, never at import.

Every route but /healthz and /metrics needs a bearer token the inventory knows (api/security.py);
/docs and /openapi.json too, outside development."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from spbe_common import api, metrics
from spbe_common.settings import Environment
from spbe_scorer.assessments.routes import router as assessments_router
from spbe_scorer.runs.routes import router as runs_router
from spbe_scorer.runs.service import Scorer
from spbe_scorer.settings import ScorerSettings
from spbe_scorer.workspace import errors as workspace_errors
from spbe_scorer.workspace.document_routes import router as documents_router
from spbe_scorer.workspace.report_routes import router as reports_router
from spbe_scorer.workspace.routes import router as workspace_router

from .deps import get_principal, json_response
from .security import Authenticator, Clock, authorize

RESPONSES: dict[int | str, dict[str, Any]] = {
    **api.ERROR_RESPONSES,
    401: {"model": api.ErrorBody, "description": "No token, or one unknown, expired or revoked"},
    403: {"model": api.ErrorBody, "description": "The caller's role may not do this"},
    503: {
        "model": api.ErrorBody,
        "description": "The database, or the inventory that checks sign-ins, is unavailable",
    },
}


def create_app(
    settings: ScorerSettings,
    scorer: Scorer,
    registry: CollectorRegistry,
    *,
    clock: Clock = time.monotonic,
) -> FastAPI:
    """`clock`: what the sign-in cache measures its time-to-live with (tests move it)."""
    public_docs = settings.environment is Environment.DEVELOPMENT
    app = FastAPI(
        title="SPBE Scorer",
        version="0.1.0",
        description="Indeks SPBE / Pemdi runs from the inventory catalogue and manual assessments.",
        responses=RESPONSES,
        dependencies=[Depends(authorize)],  # every route: authenticated and in POLICY
        **api.docs_urls(public_docs),
    )
    api.install(app, settings.scorer_max_body_bytes, _upload_limits(settings))
    metrics.install(app, registry, "scorer")
    workspace_errors.install(app)  # its refusals' answers, for every route
    app.state.settings = settings
    app.state.engine = scorer.engine
    app.state.scorer = scorer
    app.state.registry = registry
    app.state.authenticator = Authenticator(scorer.inventory, settings.scorer_auth_cache_s, clock)
    app.include_router(runs_router)
    app.include_router(assessments_router)
    app.include_router(reports_router)  # before the workspace: /periods/compare
    app.include_router(workspace_router)
    app.include_router(documents_router)
    _add_health(app, registry)
    api.add_docs(app, public_docs, get_principal)
    return app


# A multipart body holds the file plus its boundaries and the other fields.
MULTIPART_ALLOWANCE = 64 * 1024
UPLOAD_ROUTES = (
    "/api/v1/periods/{period_id}/worksheets/{indicator}/documents",
    "/api/v1/periods/{period_id}/asesor/import",
)


def _upload_limits(settings: ScorerSettings) -> dict[str, int]:
    """Bukti dukung and asesor workbooks may be larger than any JSON body."""
    limit = settings.scorer_document_max_bytes + MULTIPART_ALLOWANCE
    return dict.fromkeys(UPLOAD_ROUTES, limit)


def _add_health(app: FastAPI, registry: CollectorRegistry) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        return json_response({"status": "ok"})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
