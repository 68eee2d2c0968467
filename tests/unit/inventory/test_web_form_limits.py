"""Every text field of a page form carries a `maxlength` no larger than the limit its route
enforces: the browser stops the typing there, so a long penjelasan is never refused (422) after
it was written, and what the server refuses only a hand-made request can send."""

from __future__ import annotations

import re
from pathlib import Path

import annotated_types
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from spbe_inventory.web import evaluation, evaluation_worksheet, review

TEMPLATES = Path(review.__file__).parent / "templates"
FIELD = re.compile(r"<(?:textarea|input)\b[^>]*?\bname=\"(\w+)\"[^>]*>", re.S)
MAXLENGTH = re.compile(r"\bmaxlength=\"(\d+)\"")
NOT_TEXT = re.compile(r"\btype=\"(?:hidden|file|checkbox|radio|submit)\"")


def _limits(*routers: APIRouter) -> dict[str, int]:
    """Form field -> the smallest max_length any route of these routers gives it."""
    limits: dict[str, int] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            for param in route.dependant.body_params:
                for item in param.field_info.metadata:
                    if isinstance(item, annotated_types.MaxLen):
                        limit = min(limits.get(param.name, item.max_length), item.max_length)
                        limits[param.name] = limit
    return limits


CASES = [
    ("evaluasi_lembar.html", _limits(evaluation_worksheet.router, evaluation_worksheet.documents)),
    ("evaluasi_periode.html", _limits(evaluation.router)),
    ("_tinjauan_tabel.html", _limits(review.router)),
    ("_tinjauan_terima.html", _limits(review.router)),
]


@pytest.mark.parametrize(("template", "limits"), CASES, ids=[c[0] for c in CASES])
def test_text_fields_stop_at_the_routes_limit(template: str, limits: dict[str, int]) -> None:
    fields = [
        (m.group(1), m.group(0))
        for m in FIELD.finditer((TEMPLATES / template).read_text())
        if not NOT_TEXT.search(m.group(0)) and m.group(1) in limits
    ]
    assert fields  # a template whose fields this test cannot find checks nothing
    for name, tag in fields:
        found = MAXLENGTH.search(tag)
        assert found, f"{template}: field {name!r} has no maxlength (route limit {limits[name]})"
        assert int(found.group(1)) <= limits[name], f"{template}: {name!r} over the route's limit"
