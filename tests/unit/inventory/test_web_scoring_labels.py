"""Every value the scorer answers with has its Indonesian label on the pages: a new value added
to the scorer without one would show its English code to people."""

from enum import StrEnum

import pytest

from spbe_common import scoring_labels
from spbe_inventory.web.labels import SCORING, scoring_label
from spbe_inventory.web.scoring import evidence_view
from spbe_scorer.runs.enums import LevelSource, Trigger
from spbe_scorer.workspace.enums import (
    PeriodStatus,
    WorksheetAction,
    WorksheetSource,
    WorksheetStatus,
)

KINDS: list[tuple[str, type[StrEnum]]] = [
    ("source", LevelSource),
    ("trigger", Trigger),
    ("worksheet_status", WorksheetStatus),
    ("worksheet_source", WorksheetSource),
    ("period_status", PeriodStatus),
    ("worksheet_action", WorksheetAction),
]


@pytest.mark.parametrize(("kind", "enum"), KINDS, ids=[k for k, _ in KINDS])
def test_every_scorer_value_has_a_label(kind: str, enum: type[StrEnum]) -> None:
    missing = [value.value for value in enum if value.value not in SCORING[kind]]
    assert not missing, f"SCORING[{kind!r}] lacks {missing}"


def test_evidence_rows_that_name_no_record_show_a_word_and_no_link() -> None:
    more = {
        "kind": "application",
        "id": "more",
        "detail": "5 aplikasi lainnya: tercantum di portal",
    }
    assert evidence_view(more) == {
        "kind": "Aplikasi", "id": "", "detail": more["detail"], "href": None,
    }  # fmt: skip
    register = {"kind": "asset_management", "id": "register", "detail": "seluruh 3 OPD"}
    assert (evidence_view(register)["id"], evidence_view(register)["href"]) == ("daftar aset", None)
    app = {"kind": "application", "id": "12", "detail": "tingkat 3"}
    assert evidence_view(app)["href"] == "/katalog/aplikasi/12"


def test_the_pages_and_the_scorer_workbooks_share_one_table() -> None:
    """The inventory re-exports the table in spbe_common that the scorer's workbooks use."""
    assert SCORING is scoring_labels.SCORING
    assert scoring_label is scoring_labels.scoring_label
