"""Every router of the web pages, in the order their paths must be matched (fixed paths such as
/katalog/aset/baru and /katalog/aset/ekspor before /katalog/aset/{asset_id})."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    accounts,
    auth,
    catalogue,
    dashboard,
    details,
    evaluation,
    forms,
    forms_infrastructure,
    imports,
    review,
    scans,
    scoring,
)


def routers() -> list[APIRouter]:
    return [
        auth.router,
        dashboard.router,
        catalogue.router,
        forms.router,
        forms_infrastructure.router,
        details.router,
        imports.router,
        scans.router,
        review.router,
        scoring.router,
        evaluation.router,
        accounts.router,
    ]
