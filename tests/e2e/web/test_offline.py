"""Every main page loads with the network blocked except the service itself: no request to any
other host or port, no console error (a CSP violation is one), and the page's scripts ran (the
API docs drew, every chart was drawn by the self-hosted chart library)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e.web.browsing import Catalogue, MainPage, Opened

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => [...document.querySelectorAll("canvas[data-chart]")]
    .filter(c => !(window.Chart && window.Chart.getChart(c))).map(c => c.dataset.chart)"""


def test_main_page_needs_nothing_but_the_service(
    main_page: MainPage, open_context: Callable[..., Opened], catalogue: Catalogue
) -> None:
    opened = open_context(main_page.role)
    page = opened.page
    response = page.goto(catalogue.fill(main_page.path), wait_until="networkidle")
    assert response is not None and response.status == 200, f"{main_page.path}: {response}"
    page.locator(main_page.ready).first.wait_for(state="visible")
    opened.watch.assert_clean()
    assert page.evaluate(CHARTS_DRAWN) == [], "charts the chart library did not draw"
