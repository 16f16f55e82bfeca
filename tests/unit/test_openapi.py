"""The OpenAPI document is valid and complete, and the gateway keeps to it under fuzzing.

schemathesis generates requests for every operation from the document itself (valid and invalid
bodies, parameters, headers), with and without the API key, and checks each answer: no 5xx except a
documented 503, status codes, content types and bodies as documented.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.core.failures import FailureGroup

from api.main import create_app
from api.schemas.search import Availability
from engine.errors import ConfigError
from engine.records import AVAILABILITY_VALUES
from tests.unit.gateway_fakes import make_services


def dangling_refs(document: dict[str, Any]) -> list[str]:
    """Local `$ref`s that point at nothing in `document`."""
    missing: list[str] = []

    def resolve(pointer: str) -> bool:
        node: Any = document
        for part in pointer.removeprefix("#/").split("/"):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and not resolve(ref):
                missing.append(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return sorted(set(missing))


@pytest.fixture
def document(tmp_path: Path) -> Iterator[dict[str, Any]]:
    services = make_services(tmp_path)
    with TestClient(create_app(services)) as client:
        yield client.get("/openapi.json").json()
    services.close()


def test_the_document_validates_and_every_ref_resolves(document: dict[str, Any]) -> None:
    validate(document)
    assert dangling_refs(document) == []
    body = document["paths"]["/v1/search"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/SearchRequest"}
    search_request = document["components"]["schemas"]["SearchRequest"]
    assert {"query", "filters", "facets", "page", "size"} <= set(search_request["properties"])
    assert "SearchFilters" in document["components"]["schemas"]


AUTH = {"Authorization": "Bearer secret"}
# Excluded: "every schema-valid request is accepted". Some rules are stated in words, not in JSON Schema:
# no control characters or unpaired surrogates in any string, a search needs a non-blank query or an
# image (and a query within AISLE_MAX_QUERY_CHARS), a product record is checked field by field by the
# ingest schema (docs/ingest.md). Such requests get a 422 naming the field, which the document allows.
# "No 5xx" is replaced by `documented_server_errors_only`: a 503 the operation documents, with the
# error body, is the contract for an unavailable backend; any other 5xx fails.
EXCLUDED = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.not_a_server_error]


@schemathesis.check
def documented_server_errors_only(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    if response.status_code < 500:
        return
    documented = case.operation.definition.raw.get("responses", {})
    body = response.json() if response.headers.get("content-type", [""])[0] == "application/json" else None
    if str(response.status_code) not in documented or response.status_code != 503:
        raise AssertionError(f"undocumented server error {response.status_code}: {response.text[:300]}")
    if not isinstance(body, dict) or (set(body) != {"error"} and "ready" not in body):
        raise AssertionError(f"503 without the error body: {response.text[:300]}")


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def fuzz(
    app: Any, headers: dict[str, str], only: set[str] | None = None, examples: int = 25
) -> dict[str, str]:
    """Fuzz every operation of `app`'s document (or those labelled in `only`); returns the first failure
    per operation."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if only is not None and operation.label not in only:
            continue

        @given(case=operation.as_strategy())
        @settings(FUZZ, max_examples=examples)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers, excluded_checks=EXCLUDED, additional_checks=[documented_server_errors_only]
            )

        try:
            run()
        except (Exception, FailureGroup) as exc:  # keep the report, go on with the next operation
            failures[operation.label] = str(exc)[:3000]
    return failures


@pytest.mark.parametrize("down", [False, True], ids=["backends-up", "backends-down"])
@pytest.mark.parametrize("headers", [AUTH, {}], ids=["with-key", "without-key"])
def test_fuzzing_every_operation_finds_no_5xx_and_no_schema_violation(
    tmp_path: Path, headers: dict[str, str], down: bool
) -> None:
    services = make_services(tmp_path, clip=True)
    app = create_app(services)
    with TestClient(app):
        if down:  # OpenSearch and Triton unreachable: documented 503s, degraded answers, nothing else
            services.lexical.down = True  # type: ignore[attr-defined]
            services.inference.encoder_down = True  # type: ignore[attr-defined]
            services.inference.prior.down = True  # type: ignore[attr-defined]
        failures = fuzz(app, headers)
    services.close()
    assert failures == {}, "\n\n".join(f"{name}:\n{report}" for name, report in failures.items())


def test_fuzzing_reports_an_undocumented_server_error(tmp_path: Path) -> None:
    services = make_services(tmp_path, clip=True)

    def crash(query: object) -> None:
        raise ConfigError("a setting went missing")  # answered 500 with the error body

    services.pipeline.search = crash  # type: ignore[method-assign]
    app = create_app(services)
    # Every operation that runs the search pipeline may hit the crash; nothing else can. More examples
    # than the sweep above, so that some generated search bodies are valid enough to reach the pipeline.
    searching = {"POST /v1/search", "POST /1/indexes/{index}/query", "POST /1/indexes/*/queries"}
    with TestClient(app):
        failures = fuzz(app, AUTH, only=searching | {"GET /v1/products/{product_id}"}, examples=100)
    services.close()
    assert "POST /v1/search" in failures
    assert set(failures) <= searching
    assert "undocumented server error 500" in failures["POST /v1/search"]


def test_the_availability_filter_accepts_exactly_the_engines_availabilities() -> None:
    assert get_args(Availability) == AVAILABILITY_VALUES
