"""Loops of other services that `spbe up` runs beside the inventory on one machine."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import uvicorn
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from spbe_collector.metrics import CollectorMetrics
from spbe_collector.scopes.catalogue import scopes_file
from spbe_collector.service import (
    MetricsServer,
    build_request_consumer,
    build_scheduler,
    scope_repository,
    serve_metrics,
)
from spbe_collector.settings import CollectorSettings
from spbe_common.auth import Role
from spbe_inventory.accounts.service import AccountError
from spbe_inventory.cli import local_service_token
from spbe_inventory.settings import InventorySettings
from spbe_scorer.api.app import create_app as create_scorer_app
from spbe_scorer.runtime import Runtime, build_runtime
from spbe_scorer.schedule import run_once
from spbe_scorer.settings import ScorerSettings

log = logging.getLogger(__name__)
SCORER_ACCOUNT = "scorer"
COLLECTOR_ACCOUNT = "spbe-up-collector"
TOKEN_RENEW_S = 12 * 3600  # the in-process scorer's token lives a day: renewed well before
INVENTORY_WAIT_S = 60.0  # the inventory API starts after the jobs: the first round waits for it


def collector_settings() -> CollectorSettings:
    """The scopes file `spbe collect scopes` names too (outside production, the loopback sample
    when there is none); the OPD catalogue read from the inventory `spbe up` serves, with a fresh
    token of the `spbe-up-collector` service account (not `collector`, whose tokens an operator
    may use for `spbe collect import`)."""
    settings = CollectorSettings()
    settings = settings.model_copy(update={"scopes_file": scopes_file(settings).path})
    if "inventory_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"inventory_url": _inventory_url()})
    try:
        token = local_service_token(COLLECTOR_ACCOUNT, Role.COLLECTOR)
    except AccountError as exc:  # scopes then load unchecked, saying why
        log.error("no token for the in-process collector: %s", exc)
        return settings
    if token is not None:
        settings = settings.model_copy(update={"inventory_token": SecretStr(token)})
    return settings


def _inventory_url() -> str:
    return InventorySettings().api_url


def metrics_addresses() -> dict[str, str]:
    """Where Prometheus scrapes each part `spbe up` runs (the collector's may be off: port 0)."""
    scorer, collector = ScorerSettings(), CollectorSettings()
    port = collector.collector_metrics_port
    return {
        "inventory": f"{_inventory_url()}/metrics",
        "scorer": f"http://{scorer.scorer_api_host}:{scorer.scorer_api_port}/metrics",
        "collector": f"http://{collector.collector_metrics_host}:{port}/metrics" if port else "off",
    }


def collector_job(stop: threading.Event) -> None:
    """Serve the collector's /metrics (SPBE_COLLECTOR_METRICS_PORT); answer scan requests from the
    pages at once; scan every scheduled scope once at start-up (once the inventory answers, so
    their OPD codes are checked), then follow the schedules."""
    settings = collector_settings()
    registry = CollectorRegistry()
    metrics = CollectorMetrics(registry)
    served = _serve_collector_metrics(settings, registry)
    try:
        _collect_until_stopped(settings, metrics, stop)
    finally:
        if served is not None:
            served.close()


def _serve_collector_metrics(
    settings: CollectorSettings, registry: CollectorRegistry
) -> MetricsServer | None:
    try:
        return serve_metrics(settings, registry)
    except OSError as exc:  # a taken port costs the metrics, not the scans
        log.error(
            "collector metrics not served on port %s: %s", settings.collector_metrics_port, exc
        )
        return None


def _collect_until_stopped(
    settings: CollectorSettings, metrics: CollectorMetrics, stop: threading.Event
) -> None:
    consumer = build_request_consumer(settings, metrics=metrics)
    requests = threading.Thread(
        target=consumer.run, args=(stop,), name="scan-requests", daemon=True
    )
    requests.start()
    scheduler = build_scheduler(settings, metrics)
    _wait_until_answering(settings.inventory_url, stop)
    for scope in scope_repository(settings).all():
        if stop.is_set():
            return
        try:
            scheduler.run_now(scope)
        except Exception:  # a failed first scan must not stop the service
            log.exception("first scan of %s failed", scope.key)
    scheduler.run_forever(stop)


# --- the scorer: its API and its schedule -------------------------------------------------------
def scorer_settings() -> ScorerSettings:
    """The scorer reads the inventory that `spbe up` serves (unless SPBE_INVENTORY_URL says
    otherwise) with a fresh token of the `scorer` service account outside production."""
    settings = ScorerSettings()
    if "inventory_url" not in settings.model_fields_set:
        inventory = InventorySettings()
        url = f"http://{inventory.api_host}:{inventory.api_port}"
        settings = settings.model_copy(update={"inventory_url": url})
    try:
        token = local_service_token(SCORER_ACCOUNT, Role.SCORER)
    except AccountError as exc:  # e.g. a person's account named "scorer": runs will say 401
        log.error("no token for the in-process scorer: %s", exc)
        return settings
    if token is not None:
        settings = settings.model_copy(update={"inventory_token": SecretStr(token)})
    return settings


def scorer_job(stop: threading.Event) -> None:
    """Serve the scorer API on SPBE_SCORER_API_PORT (the Penilaian pages read it) and score every
    SPBE_SCORER_EVERY_MINUTES, the first round as soon as the inventory API answers."""
    settings = scorer_settings()
    runtime = build_runtime(settings)
    app = create_scorer_app(settings, runtime.scorer, runtime.registry)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=settings.scorer_api_host, port=settings.scorer_api_port,
            log_level="warning", access_log=False, lifespan="off",
        )
    )  # fmt: skip
    api = threading.Thread(target=server.run, name="scorer-api", daemon=True)
    api.start()
    try:
        _wait_for_inventory(runtime, stop)
        _score_until_stopped(runtime, stop)
    finally:
        server.should_exit = True
        api.join(timeout=10)
        runtime.close()


def _wait_for_inventory(runtime: Runtime, stop: threading.Event) -> None:
    _wait_until_answering(runtime.scorer.inventory, stop)


def _wait_until_answering(inventory: httpx.Client | str, stop: threading.Event) -> None:
    """Until the inventory's /healthz answers 200, at most INVENTORY_WAIT_S."""
    client = inventory if isinstance(inventory, httpx.Client) else httpx.Client(base_url=inventory)
    deadline = time.monotonic() + INVENTORY_WAIT_S
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            stop.wait(0.5)
    finally:
        if client is not inventory:
            client.close()


def _score_until_stopped(runtime: Runtime, stop: threading.Event) -> None:
    settings = runtime.settings
    issued = time.monotonic()
    while not stop.is_set():
        if settings.inventory_token is not None and time.monotonic() - issued > TOKEN_RENEW_S:
            token = local_service_token(SCORER_ACCOUNT, Role.SCORER)
            if token is not None:
                runtime.scorer.inventory.headers["Authorization"] = f"Bearer {token}"
            issued = time.monotonic()
        run_once(runtime.scorer, settings.scorer_frameworks, log.info)
        stop.wait(settings.scorer_every_minutes * 60)
