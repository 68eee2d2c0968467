"""The cyclic garbage collector of a long-running service, settled once it has started.

CPython's cyclic collector runs after every 700 net allocations of container objects, and every
so often (a "full" collection) it walks every object the process holds. A service keeps some
150,000 of them for its whole life (modules, the FastAPI app, SQLAlchemy's tables, the pydantic
models), while a consumer's batch or an API request allocates and drops tens of thousands. So
most of the collector's work was walking, again and again, objects that never die: the full
collections alone took a fifth of ingestion's time (`bench/ingest_embedded.py` prints `gc_s`).

`settle()` does what the Python documentation suggests for this (`gc.freeze`): once a service
has imported and built what it keeps, those objects go to a permanent generation that no
collection walks, and a young generation is collected after 10,000 allocations instead of 700.
Reference counting still frees everything at once; the cyclic collector still runs, on what the
service made since. Frozen objects that later become unreachable cycles would stay in memory:
only what lives for the whole process is there at start-up, so nothing is lost that way.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # allocations between collections of the youngest generation (700)


def settle() -> None:
    """Freeze what the process holds now and collect the young generation less often.

    Call it from a service's start, once what it keeps is built; calling it again freezes what
    was made since."""
    gc.collect()  # no garbage of the start-up is frozen with the rest
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
