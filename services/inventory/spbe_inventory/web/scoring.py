"""Penilaian: scoring runs, their indicator levels and evidence, comparisons, the workbook, and the
dashboard's summary fragment. The scorer is another service: everything here is read from its
API (scorer_client), as the signed-in person; nothing from the scorer's database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from spbe_common.numbers import decimal_comma, rounded
from spbe_common.scoring_labels import evidence_record

from . import labels
from .errors import error_page
from .render import page, when
from .scorer_client import ScorerClient, ScorerRefused, ScorerUnavailable

router = APIRouter(include_in_schema=False)
RunId = Annotated[str, Path(pattern=r"^[0-9a-fA-F-]{1,36}$")]
PAGE_SIZE = 25
CHART_RUNS = 6  # runs per framework on the dashboard chart
UNREACHABLE = (
    "Layanan penilaian tidak dapat dihubungi. Data katalog tetap dapat dibuka; coba lagi "
    "sebentar lagi atau hubungi administrator."
)
CATALOGUE = "catalogue"  # the runs that score the catalogue: the headline, not a period's proposals
PREDICATE_CLASS = {"Kurang": "bad", "Cukup": "warn"}  # the better predicates are "ok"


def ratio(value: str | float | None) -> float | None:
    """A scorer number ('256/91', '1.5', 1.875) as a float of two decimals, rounded as the
    index is (spbe_common.numbers)."""
    if value is None or value == "":
        return None
    return float(rounded(value))


def predicate_class(predicate: str | None) -> str:
    return PREDICATE_CLASS.get(predicate or "", "ok")


MESSAGE_422 = "Dua penilaian hanya dapat dibandingkan bila memakai kerangka yang sama."


def _scorer_page(
    handler: Callable[[Request, ScorerClient], Response],
) -> Callable[[Request], Response]:
    """Runs `handler` with a scorer client; the scorer down is a 503 page in Bahasa Indonesia."""

    def run(request: Request) -> Response:
        try:
            return handler(request, ScorerClient.of(request))
        except ScorerUnavailable:
            return error_page(request, 503, UNREACHABLE)
        except ScorerRefused as exc:
            if exc.status_code == 422:
                return error_page(request, 422, MESSAGE_422)
            raise HTTPException(exc.status_code) from None  # 401: sign in again; 404: no run

    return run


# --- pages --------------------------------------------------------------------------------------
@router.get("/penilaian")
def runs_page(
    request: Request,
    kerangka: Annotated[str | None, Query(max_length=32)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    def show(request: Request, scorer: ScorerClient) -> Response:
        offset = (page_no - 1) * PAGE_SIZE
        found = scorer.get(
            "/api/v1/runs", framework=kerangka or None, limit=PAGE_SIZE, offset=offset
        )
        periods = _period_names(scorer) if _of_periods(found["data"]) else {}
        runs = [_run_view(r, periods) for r in found["data"]]
        context = {
            "title": "Penilaian",
            "runs": runs,
            "compare": _default_pair(runs),
            "count": found["count"],
            "kerangka": kerangka or "",
            "frameworks": list(labels.SCORING["framework"].items()),
            "page_no": page_no,
            "pages": max(1, -(-found["count"] // PAGE_SIZE)),
        }
        return page(request, "penilaian.html", context)

    return _scorer_page(show)(request)


@router.get("/penilaian/ringkasan")
def summary_fragment(request: Request) -> Response:
    """The dashboard's Penilaian panel (htmx): always answered 200 so htmx swaps it in, even
    with the notice that the scorer cannot be reached."""
    scorer = ScorerClient.of(request)
    try:
        latest = _latest_per_framework(scorer)
        charts = [_domain_chart(scorer, run) for run in latest]
    except ScorerUnavailable:
        return page(request, "penilaian_ringkasan.html", {"unreachable": UNREACHABLE})
    except ScorerRefused as exc:
        raise HTTPException(exc.status_code) from None
    return page(request, "penilaian_ringkasan.html", {"latest": latest, "charts": charts})


@router.get("/penilaian/banding")
def comparison_page(
    request: Request,
    a: Annotated[str, Query(pattern=r"^[0-9a-fA-F-]{1,36}$")],
    b: Annotated[str, Query(pattern=r"^[0-9a-fA-F-]{1,36}$")],
    semua: Annotated[bool, Query()] = False,
) -> Response:
    def show(request: Request, scorer: ScorerClient) -> Response:
        found = scorer.get("/api/v1/runs/compare", a=a, b=b)
        run_a = _run_view(scorer.get(f"/api/v1/runs/{a}"))
        run_b = _run_view(scorer.get(f"/api/v1/runs/{b}"))
        rows = found["indicators"] if semua else found["changed"]
        context = {
            "title": "Perbandingan penilaian",
            "cmp": found,
            "run_a": run_a,
            "run_b": run_b,
            "rows": [_change_view(c) for c in rows],
            "semua": semua,
            "changed": len(found["changed"]),
            "sources": labels.SCORING["source"],
        }
        return page(request, "penilaian_banding.html", context)

    return _scorer_page(show)(request)


@router.get("/penilaian/{run_id}")
def run_page(request: Request, run_id: RunId) -> Response:
    def show(request: Request, scorer: ScorerClient) -> Response:
        found = scorer.get(f"/api/v1/runs/{run_id}")
        run = _run_view(found, _period_names(scorer) if _of_periods([found]) else {})
        context = {
            "title": f"Penilaian {run['framework_label']}",
            "run": run,
            "sources": labels.SCORING["source"],
            "domains": _domains_with_indicators(run),
        }
        return page(request, "penilaian_detail.html", context)

    return _scorer_page(show)(request)


@router.get("/penilaian/{run_id}/unduh")
def download(request: Request, run_id: RunId) -> Response:
    def send(request: Request, scorer: ScorerClient) -> Response:
        book = scorer.workbook(run_id)
        headers = {
            "Content-Disposition": f'attachment; filename="{book.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
        return StreamingResponse(
            book.chunks, media_type=book.media_type, headers=headers,
            background=BackgroundTask(book.close),
        )  # fmt: skip

    return _scorer_page(send)(request)


def _of_periods(runs: list[dict[str, Any]]) -> bool:
    return any(r.get("period_id") is not None for r in runs)


def _period_names(scorer: ScorerClient) -> dict[int, str]:
    """The evaluation periods by id, named as their pages name them; none for an account that
    may not read them (the label then names the period by its number)."""
    try:
        found = scorer.get("/api/v1/periods")["data"]
    except ScorerRefused:
        return {}
    return {p["id"]: period_name(p) for p in found}


def period_name(period: dict[str, Any]) -> str:
    framework = labels.scoring_label("framework", period.get("framework"))
    return period.get("title") or f"Evaluasi {framework} {period.get('year')}"


def _default_pair(runs: list[dict[str, Any]]) -> tuple[str, str]:
    """The runs the comparison form starts with: the two newest of the catalogue's scoring (a
    period's proposal run is no index of the catalogue), else the two newest."""
    catalogue = [r["id"] for r in runs if r.get("period_id") is None]
    chosen = catalogue if len(catalogue) > 1 else [r["id"] for r in runs]
    return (chosen[1], chosen[0]) if len(chosen) > 1 else ("", "")


# --- views of the scorer's documents --------------------------------------------------------------
def trigger_label(run: dict[str, Any], periods: dict[int, str]) -> str:
    """What started a run, in words; a period's run is its proposals ("Hitung usulan")."""
    period_id = run.get("period_id")
    if period_id is None:
        return labels.scoring_label("trigger", run.get("trigger"))
    name = periods.get(period_id) or f"nomor {period_id}"
    return f"{labels.scoring_label('trigger', 'period')} {name}"


def _run_view(run: dict[str, Any], periods: dict[int, str] | None = None) -> dict[str, Any]:
    """A run with what the templates show beside its raw fields."""
    return {
        **run,
        "framework_label": labels.scoring_label("framework", run["framework"]),
        "trigger_label": trigger_label(run, periods or {}),
        "badge": predicate_class(run.get("predicate")),
        "option": (
            f"{labels.scoring_label('framework', run['framework'])} · {when(run['started_at'])}"
            f" · {decimal_comma(run['index_exact'])} ({run['predicate']})"
        ),
    }


def _group(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [{**g, "weight": ratio(g.get("weight")), "index": ratio(g.get("index"))} for g in rows]


def _domains_with_indicators(run: dict[str, Any]) -> list[dict[str, Any]]:
    aspects = {a["id"]: a["name"] for a in run.get("aspects", [])}
    domains = _group(run.get("domains", []))
    for domain in domains:
        domain["indicators"] = [
            {
                **i,
                "aspect_name": aspects.get(i["aspect"], i["aspect"]),
                "source_label": labels.scoring_label("source", i["source"]),
                "evidence": [evidence_view(e) for e in i.get("evidence", [])],
            }
            for i in run.get("indicators", [])
            if i["domain"] == domain["id"]
        ]
    return domains


EVIDENCE_PAGES = {
    "opd": "/katalog/opd/{}",
    "application": "/katalog/aplikasi/{}",
    "facility": "/katalog/fasilitas/{}",
}


def evidence_view(evidence: dict[str, Any]) -> dict[str, Any]:
    """One evidence row of a proposal: its kind in words, its record id linked to the record's
    page when there is one."""
    kind, record = str(evidence.get("kind", "")), str(evidence.get("id", ""))
    label, shown, is_record = evidence_record(kind, record)
    target = EVIDENCE_PAGES.get(kind) if is_record else None
    return {
        "kind": label,
        "id": shown,
        "detail": evidence.get("detail", ""),
        "href": target.format(record) if target else None,
    }


def _change_view(change: dict[str, Any]) -> dict[str, Any]:
    delta = change["delta"]
    direction = "naik" if delta > 0 else "turun" if delta < 0 else "tetap"
    badge = {"naik": "ok", "turun": "bad", "tetap": ""}[direction]
    return {**change, "direction": direction, "badge": badge}


# --- the dashboard fragment -----------------------------------------------------------------------
def _latest_per_framework(scorer: ScorerClient) -> list[dict[str, Any]]:
    newest = scorer.get("/api/v1/runs", limit=100, scope=CATALOGUE)["data"]
    latest: dict[str, dict[str, Any]] = {}
    for run in newest:  # newest first: the first of each framework is its latest
        latest.setdefault(run["framework"], _run_view(run))
    return list(latest.values())


def _domain_chart(scorer: ScorerClient, latest: dict[str, Any]) -> dict[str, Any]:
    """Chart.js line chart: each domain's index over the framework's last runs, oldest first."""
    found = scorer.get(
        "/api/v1/runs", framework=latest["framework"], limit=CHART_RUNS, scope=CATALOGUE
    )
    details = [scorer.get(f"/api/v1/runs/{r['id']}") for r in reversed(found["data"])]
    names = {d["id"]: d["name"] for run in details for d in run.get("domains", [])}
    series = {
        domain: [
            next((ratio(d["index"]) for d in run["domains"] if d["id"] == domain), None)
            for run in details
        ]
        for domain in names
    }
    config = {
        "type": "line",
        "data": {
            "labels": [when(run["started_at"]) for run in details],
            "datasets": [
                {"label": f"{d} {names[d]}", "data": values} for d, values in series.items()
            ],
        },
        "options": {"scales": {"y": {"title": {"display": True, "text": "Indeks"}}}},
    }
    chart_id = f"grafik-domain-{latest['framework']}"
    return {
        "id": chart_id,
        "title": latest["framework_label"],
        "config": config,
        "runs": len(details),
    }
