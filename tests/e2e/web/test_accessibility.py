"""axe-core (pinned, from the npm registry) on every main page at 1366x768: no serious or
critical violation. The run also writes a screenshot of each page to $SPBE_SCREENSHOTS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from e2e.web.browsing import Catalogue, MainPage, Opened, run_axe

pytestmark = pytest.mark.browser


def test_main_page_has_no_serious_accessibility_violation(
    axe_page: MainPage,
    open_context: Callable[..., Opened],
    catalogue: Catalogue,
    screenshots: Path,
) -> None:
    page = open_context(axe_page.role).page
    response = page.goto(catalogue.fill(axe_page.path), wait_until="networkidle")
    assert response is not None and response.status == 200, f"{axe_page.path}: {response}"
    page.locator(axe_page.ready).first.wait_for(state="visible")
    page.screenshot(path=screenshots / f"{axe_page.name}.png")
    violations = run_axe(page)
    assert violations == [], f"{axe_page.path}:\n" + "\n".join(violations)
