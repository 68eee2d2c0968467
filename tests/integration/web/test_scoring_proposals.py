"""'Hitung usulan' of an evaluation period makes a run of proposals: it is listed on /penilaian
as what it is, and neither the dashboard's headline index nor the default comparison uses it."""

from __future__ import annotations

import re
from typing import Any

from integration.web.test_evaluation import open_period, post
from integration.web.test_scoring import (  # noqa: F401  (the fixture of the scorer behind the pages)
    Browser,
    Scorer,
    scorer,
    settings,
    text_of,
)

from spbe_common.auth import Role


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]+)" selected>', select.group(0))
    assert chosen, name
    return chosen.group(1)


def test_a_proposal_run_is_no_headline_and_says_what_it_is(
    browser: Browser,
    scorer: Scorer,  # noqa: F811
) -> None:
    assessment = {
        "framework": "spbe-2020", "indicator": "1", "level": 4,
        "justification": "Perbup Arsitektur SPBE ditetapkan",
    }  # fmt: skip
    assert scorer.api.post("/api/v1/assessments", json=assessment).status_code == 201
    first: dict[str, Any] = scorer.run()
    catalogue: dict[str, Any] = scorer.run()  # 1.04: indicator 1 at level 4
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    assert post(admin, f"/evaluasi/{period}/usulan").status_code == 303  # 1.00: nothing accepted
    proposal = scorer.api.get("/api/v1/runs", params={"scope": "period"}).json()["data"]
    assert [r["trigger"] for r in proposal] == ["period"]
    fragment = text_of(admin.get("/penilaian/ringkasan", headers={"HX-Request": "true"}).text)
    assert catalogue["index_display"].replace(".", ",") in fragment and "1,00" not in fragment
    listing = admin.get("/penilaian").text
    assert "Usulan untuk periode evaluasi Indeks SPBE 2026" in text_of(listing)
    assert (selected(listing, "a"), selected(listing, "b")) == (first["id"], catalogue["id"])
    everything = scorer.api.get("/api/v1/runs").json()  # the API's default list is unchanged
    assert everything["count"] == 3
