"""Every table, imported in one place for Alembic's metadata."""

from sqlmodel import SQLModel

from spbe_inventory.accounts.models import Account, ApiToken, LoginFailure, WebSession
from spbe_inventory.applications.models import Application, ApplicationAsset
from spbe_inventory.assets.models import Asset, Service
from spbe_inventory.evaluation import models as evaluation_models  # noqa: F401 (its tables)
from spbe_inventory.history.models import HistoryEntry
from spbe_inventory.imports.models import RegisterImport
from spbe_inventory.infrastructure.models import Facility, NetworkLink
from spbe_inventory.ingest.models import ProcessedEvent, RejectedEvent, Scan
from spbe_inventory.opd.models import Opd
from spbe_inventory.review.models import AssetMerge, AssetReview

metadata = SQLModel.metadata

__all__ = [
    "Account",
    "ApiToken",
    "Application",
    "ApplicationAsset",
    "Asset",
    "AssetMerge",
    "AssetReview",
    "Facility",
    "HistoryEntry",
    "LoginFailure",
    "NetworkLink",
    "Opd",
    "ProcessedEvent",
    "RegisterImport",
    "RejectedEvent",
    "Scan",
    "Service",
    "WebSession",
    "metadata",
]
