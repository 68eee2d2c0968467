"""Schema-driven fuzzing of every operation of the scorer API (schemathesis), valid and invalid
input alike, signed in as an admin (every operation allowed): no 5xx, and every answer matches
the OpenAPI document the API publishes.

Deterministic (fixed seed, derandomized) and sized for CI (well under 90 s on two cores).
Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance and negative_data_rejection.
Left out: positive_data_acceptance (a schema-valid body may still name an unknown framework or
indicator, or a level off the framework's scale: 422 by rule, not by schema), use_after_free, ensure_resource_availability and
ignored_auth/object_level_authorization (stateful or auth checks: the scorer has no links between
operations in its document and declares no security scheme; test_access.py covers who may call
what), missing_required_header (no required headers), unsupported_method and max_response_time (not about the document; a run takes a
catalogue snapshot and is slow by design).
"""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from integration.scorer.scoring_harness import ScoringHarness
from schemathesis import APIOperation, GenerationMode, checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

SEED = 20260801
EXAMPLES = 25  # per operation and generation mode (as the inventory's; 50 took 66 s of CI)
OPERATIONS = 34  # every route but /metrics
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]
CONFIG = {
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
}


def _seed(scoring: ScoringHarness) -> None:
    """One stored run, one assessment and an evaluation period (id 1) with a run, so that reads
    of existing records are reached too."""
    scoring.run()
    scoring.api.post(
        "/api/v1/assessments",
        json={"framework": "spbe-2020", "indicator": "1", "level": 3,
              "justification": "Perbup 5/2024"},
    )  # fmt: skip
    period = scoring.api.post("/api/v1/periods", json={"year": 2026, "framework": "spbe-2020"})
    assert period.status_code == 201, period.text
    assert scoring.api.post(f"/api/v1/periods/{period.json()['id']}/runs").status_code == 201


def _fuzz(operation: APIOperation, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    """Hypothesis over one operation in one mode; the failure report, or None."""

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
    )  # fmt: skip
    def one(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS, headers=headers)

    try:
        one()
    except Unsatisfiable:  # no invalid request exists (no parameters, no body): nothing to fuzz
        return None
    except BaseException as exc:  # a FailureGroup: every failed check of the failing case
        if not isinstance(exc, Exception | BaseExceptionGroup):
            raise
        return f"{operation.label} ({mode.value}): {exc}"
    return None


def test_every_operation_answers_by_its_document(scoring: ScoringHarness) -> None:
    _seed(scoring)
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", scoring.api.app, config=SchemathesisConfig.from_dict(CONFIG)
    )
    results = list(schema.get_all_operations())
    operations = [r.ok() for r in results if isinstance(r, Ok)]  # an Err: an invalid document
    assert len(operations) == OPERATIONS
    admin = {"Authorization": scoring.api.headers["Authorization"]}  # the harness's admin
    failures = [
        report
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (report := _fuzz(operation, mode, admin)) is not None
    ]
    assert not failures, "\n\n".join(failures)


def test_every_operation_is_fuzzed(scoring: ScoringHarness) -> None:
    """The document lists every route but /metrics: none escapes the fuzzer."""
    client: TestClient = scoring.api
    paths = client.get("/openapi.json").json()["paths"]
    operations = sorted(f"{m.upper()} {p}" for p, ops in paths.items() for m in ops)
    assert len(operations) == OPERATIONS, operations
