"""Start-up wiring of the inventory: settings -> engine -> bus -> consumer / API."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass

import uvicorn
from prometheus_client import CollectorRegistry, start_http_server
from sqlalchemy import Engine, func, select

from spbe_common import heap
from spbe_common.bus import Bus, make_bus
from spbe_common.heartbeat import Heartbeat
from spbe_common.settings import BusBackend, prepare_data_dir
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.ingest.metrics import IngestMetrics
from spbe_inventory.opd.repository import OPD
from spbe_inventory.sample.service import SampleSummary, load_sample
from spbe_inventory.settings import InventorySettings

log = logging.getLogger(__name__)


@dataclass
class Inventory:
    settings: InventorySettings
    engine: Engine
    bus: Bus
    registry: CollectorRegistry

    @classmethod
    def build(cls, settings: InventorySettings) -> Inventory:
        if settings.database_url is None or settings.bus is BusBackend.EMBEDDED:
            prepare_data_dir(settings.data_dir)  # the SQLite catalogue or the event log live there
        return cls(settings, make_engine(settings.db_url), make_bus(settings), CollectorRegistry())

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def load_sample_if_empty(self) -> SampleSummary | None:
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(OPD)).scalar_one():
                return None
            return load_sample(conn, self.settings.api_url)

    def consumer(self) -> InventoryConsumer:
        s = self.settings
        return InventoryConsumer(
            self.engine,
            self.bus,
            group_id=s.consumer_group,
            batch_size=s.batch_size,
            poll_timeout_s=s.poll_timeout_s,
            metrics=IngestMetrics(self.registry),
            heartbeat=Heartbeat.from_settings(s),
        )

    def api_server(self) -> uvicorn.Server:
        app = create_app(self.settings, self.engine, self.registry)
        config = uvicorn.Config(
            app,
            host=self.settings.api_host,
            port=self.settings.api_port,
            log_level="warning",
            access_log=False,
        )
        return uvicorn.Server(config)


def run_consumer_until_signalled(inventory: Inventory) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    consumer = inventory.consumer()
    if inventory.settings.metrics_port:  # a worker has no API: serve its counters on their own
        start_http_server(inventory.settings.metrics_port, registry=inventory.registry)
    heap.settle()
    try:
        consumer.run(stop)
    finally:
        consumer.close()  # graceful: leaves the group, nothing half-committed


def start_background(target: object, name: str, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=target, args=(stop,), name=name, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread
