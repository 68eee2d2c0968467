"""Every main page loads with the network blocked except the service itself: no request to any
other host or port, no console error (a CSP violation is one), and the page's scripts ran (the
API docs drew, every chart was drawn by the self-hosted chart library)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e.web.browsing import Catalogue, MainPage, Opened
from playwright.sync_api import Error as PlaywrightError

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


def test_the_watch_catches_another_host_and_a_csp_violation(
    open_context: Callable[..., Opened],
) -> None:
    """The guard of every test works: the service's CSP refuses an inline script and an image
    from another host (console errors), and a request to another host is blocked and recorded."""
    opened = open_context(None)
    opened.watch.checked = True  # these problems are the point of this test
    page = opened.page
    page.goto("/masuk")
    with page.expect_console_message(lambda m: "logo.png" in m.text):
        page.evaluate(
            """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
            const img = document.createElement("img");
            img.src = "http://203.0.113.9/logo.png";
            document.body.append(img);
        }"""
        )
    assert page.evaluate("() => window.inlineRan") is None  # CSP refused it
    with pytest.raises(PlaywrightError):
        page.goto("http://203.0.113.9/")
    assert opened.watch.foreign == ["GET http://203.0.113.9/"]
    refused = [c for c in opened.watch.console if "Content Security Policy" in c]
    assert any("inline" in c for c in refused), opened.watch.console
    assert any("203.0.113.9/logo.png" in c for c in refused), opened.watch.console
