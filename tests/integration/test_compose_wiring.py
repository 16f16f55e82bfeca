"""The gateway and the indexer job, configured exactly as docker-compose.yml configures them, against a
secured OpenSearch and a remote Triton.

No container runs here. Each process gets the environment Compose would give its service: the compose
file's variables resolved from a test `.env` (tests.support.compose), the CA override documented in
docs/production.md merged on top where a scenario verifies certificates, and the container paths it
mounts (/var/lib/aisle, the CA file, /import) mapped to host paths. OpenSearch is the session's real
node behind a TLS + basic-auth proxy (tests.support.secure_proxy), standing in for the security
plugin of the compose deployment; Triton is the session's real server, reached as host:port.

Scenarios: certificates verified with the documented CA (build, serve, search); the compose default
with verification off; a wrong password; verification on without the CA. The last two must fail at
start with one line naming the settings to fix, never with a traceback.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.ports import free_port
from tests.fixtures.triton import TritonHandle
from tests.support import compose
from tests.support.processes import GatewayProcess, clean_env, run_cli, tail
from tests.support.secure_proxy import SecureProxy, TlsFiles, make_tls

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "engine" / "sample"
USER, PASSWORD = "aisle-gateway", "Wir1ng-Test-Pass!"
API_KEY = "wiring-test-key"
CA_VARIABLE = "AISLE_OPENSEARCH_CA_CERTS"
DEFAULT_ALIAS = "products"  # the compose file leaves AISLE_INDEX_ALIAS at the engine's default
WRONG = "not-the-password"
REFUSED = (
    r"AISLE_OPENSEARCH_USER / AISLE_OPENSEARCH_PASSWORD: https://127\.0\.0\.1:\d+ refused the credentials"
)
TLS_FAILURE = (
    r"AISLE_OPENSEARCH_CA_CERTS / AISLE_OPENSEARCH_VERIFY_CERTS: TLS to https://127\.0\.0\.1:\d+ failed "
    r".*CERTIFICATE_VERIFY_FAILED"
)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def proxy(opensearch_url: str, tls: TlsFiles) -> Iterator[SecureProxy]:
    with SecureProxy(opensearch_url, tls, USER, PASSWORD) as secure:
        yield secure
    # The session's node is shared: drop the indexes behind the default alias this module created.
    aliases = httpx.get(f"{opensearch_url}/_alias/{DEFAULT_ALIAS}", timeout=30)
    for index in aliases.json() if aliases.status_code == 200 else []:
        httpx.delete(f"{opensearch_url}/{index}", timeout=30)


@dataclass
class Deployment:
    """Resolves a service's environment for one scenario's `.env` (`variables`)."""

    compose_file: dict[str, Any]
    ca_override: dict[str, Any]
    data_dir: Path
    tls: TlsFiles

    def service(self, name: str, *, with_ca: bool) -> dict[str, Any]:
        return compose.service(self.compose_file, name, *([self.ca_override] if with_ca else []))

    def env(self, name: str, variables: dict[str, str], *, with_ca: bool) -> dict[str, str]:
        svc = self.service(name, with_ca=with_ca)
        resolved = compose.environment(svc, variables)
        mounts = {"/var/lib/aisle": self.data_dir}
        if with_ca:
            mounts[resolved[CA_VARIABLE]] = self.tls.ca_cert
        return clean_env(compose.remap_mounts(svc, resolved, mounts))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, tls: TlsFiles) -> Deployment:
    override = compose.documented_override(ROOT / "docs" / "production.md", CA_VARIABLE)
    return Deployment(compose.load(), override, tmp_path_factory.mktemp("aisle-data"), tls)


def dotenv(proxy: SecureProxy, triton: TritonHandle, **changes: str) -> dict[str, str]:
    """The operator's .env for a remote cluster (docs/production.md), pointing at the test servers."""
    values = {
        "AISLE_OPENSEARCH_URL": proxy.url,
        "AISLE_OPENSEARCH_USER": USER,
        "AISLE_OPENSEARCH_PASSWORD": PASSWORD,
        "AISLE_TRITON_URL": triton.grpc_url,
        "AISLE_API_KEY": API_KEY,
        "AISLE_IMPORT_DIR": str(SAMPLE_DIR),
    }
    values.update(changes)
    return values


@pytest.fixture(scope="module")
def verified_env(proxy: SecureProxy, triton_server: TritonHandle) -> dict[str, str]:
    return dotenv(proxy, triton_server, AISLE_OPENSEARCH_VERIFY_CERTS="true")


@pytest.fixture(scope="module")
def built(deployment: Deployment, proxy: SecureProxy, verified_env: dict[str, str]) -> dict[str, Any]:
    """The indexer job's documented command, `indexer build /import/...`, with certificates verified."""
    indexer = deployment.service("indexer", with_ca=True)
    catalog = compose.host_path(indexer, verified_env, "/import/catalog.jsonl")
    before, failures = len(proxy.requests), len(proxy.tls_failures)
    env = deployment.env("indexer", verified_env, with_ca=True)
    result = run_cli("indexer", ["build", "--no-progress", str(catalog)], env)
    return {
        "result": result,
        "requests": proxy.requests[before:],
        "tls_failures": proxy.tls_failures[failures:],
    }


def search(gateway: GatewayProcess, query: str) -> dict[str, Any]:
    response = gateway.client.post("/v1/search", json={"query": query, "size": 5})
    assert response.status_code == 200, response.text
    return response.json()


def assert_one_line_error(output: str, pattern: str) -> None:
    """The failure is explained on a line matching `pattern`, and no traceback is printed."""
    assert re.search(pattern, output), f"no line matching {pattern!r} in:\n{tail(output)}"
    assert "Traceback" not in output, f"a traceback instead of a one-line error:\n{tail(output, 60)}"


# ---- the stand-in for the security plugin --------------------------------------------------------------


def test_proxy_demands_tls_and_a_password(proxy: SecureProxy, tls: TlsFiles) -> None:
    trust = ssl.create_default_context(cafile=str(tls.ca_cert))
    missing = httpx.get(proxy.url, verify=trust)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Basic")
    assert httpx.get(proxy.url, auth=(USER, "wrong"), verify=trust).status_code == 401
    answer = httpx.get(proxy.url, auth=(USER, PASSWORD), verify=trust)
    assert answer.status_code == 200 and answer.json()["version"]["distribution"] == "opensearch"
    with pytest.raises(httpx.TransportError):
        httpx.get(proxy.url.replace("https://", "http://"), auth=(USER, PASSWORD))
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(proxy.url, auth=(USER, PASSWORD), verify=ssl.create_default_context())


# ---- the environment itself ---------------------------------------------------------------------------


def test_compose_env_reaches_the_processes_unchanged(
    deployment: Deployment, verified_env: dict[str, str], tls: TlsFiles
) -> None:
    env = deployment.env("gateway", verified_env, with_ca=True)
    assert env["AISLE_OPENSEARCH_URL"] == verified_env["AISLE_OPENSEARCH_URL"]
    assert env["AISLE_OPENSEARCH_URL"].startswith("https://127.0.0.1:")
    assert env["AISLE_OPENSEARCH_VERIFY_CERTS"] == "true"
    assert env[CA_VARIABLE] == str(tls.ca_cert)
    assert env["AISLE_DATA_DIR"] == str(deployment.data_dir)
    # Only the override adds the CA; without it the compose default (no verification) applies.
    plain = deployment.env("gateway", dotenv_without_verify(verified_env), with_ca=False)
    assert CA_VARIABLE not in plain and plain["AISLE_OPENSEARCH_VERIFY_CERTS"] == "false"


def dotenv_without_verify(variables: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in variables.items() if k != "AISLE_OPENSEARCH_VERIFY_CERTS"}


# ---- certificates verified with the documented CA ----------------------------------------------------


def test_indexer_job_builds_through_tls_and_auth(built: dict[str, Any], proxy: SecureProxy) -> None:
    result = built["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"built generation \S+: 300 products", result.stdout), result.stdout
    requests = built["requests"]
    assert any("_bulk" in r.path for r in requests), [r.path for r in requests]
    assert requests and all(r.user == USER for r in requests), [r for r in requests if r.user != USER]
    assert built["tls_failures"] == []


def test_gateway_serves_with_verified_tls(
    built: dict[str, Any], deployment: Deployment, proxy: SecureProxy, verified_env: dict[str, str]
) -> None:
    assert built["result"].returncode == 0, built["result"].stderr
    env = deployment.env("gateway", verified_env, with_ca=True)
    failures = len(proxy.tls_failures)
    with GatewayProcess(env, free_port()) as gateway:
        assert gateway.returncode is None, gateway.output()
        before = len(proxy.requests)
        ready = gateway.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        checks = ready.json()["checks"]
        assert checks["lexical"] == {"ok": True, "backend": "opensearch"}
        assert checks["triton"]["ok"] is True and checks["triton"]["models"]["query_encoder"] is True
        assert checks["index"]["ok"] is True and checks["index"]["count"] == 300

        found = search(gateway, "softshell jacket")
        assert found["hits"] and found["degraded"] == []
        assert any("Jacket" in hit["title"] for hit in found["hits"]), found["hits"]
        seen = proxy.requests[before:]
        assert any(r.path.endswith(("/_search", "/_msearch")) for r in seen), [r.path for r in seen]
        assert all(r.user == USER for r in seen)
        assert "Traceback" not in gateway.output()
    assert proxy.tls_failures[failures:] == []


# ---- the compose default: TLS without verification ------------------------------------------------


def test_gateway_serves_with_the_compose_default(
    built: dict[str, Any], deployment: Deployment, proxy: SecureProxy, verified_env: dict[str, str]
) -> None:
    assert built["result"].returncode == 0, built["result"].stderr
    env = deployment.env("gateway", dotenv_without_verify(verified_env), with_ca=False)
    assert env["AISLE_OPENSEARCH_VERIFY_CERTS"] == "false" and CA_VARIABLE not in env
    failures = len(proxy.tls_failures)
    with GatewayProcess(env, free_port()) as gateway:
        assert gateway.returncode is None, gateway.output()
        before = len(proxy.requests)
        ready = gateway.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["lexical"]["ok"] is True
        assert search(gateway, "santoku knife")["hits"]
        assert all(r.user == USER for r in proxy.requests[before:])
    assert proxy.tls_failures[failures:] == []


# ---- failures: a wrong password, an unverifiable certificate --------------------------------------


def test_wrong_password_stops_the_gateway_in_one_line(
    built: dict[str, Any], deployment: Deployment, proxy: SecureProxy, verified_env: dict[str, str]
) -> None:
    """The gateway checks OpenSearch before serving (engine.lexical.factory): a refused login stops it."""
    before = len(proxy.requests)
    env = deployment.env("gateway", {**verified_env, "AISLE_OPENSEARCH_PASSWORD": WRONG}, with_ca=True)
    with GatewayProcess(env, free_port()) as gateway:
        status = gateway.wait_exit()
        output = gateway.output()
    assert status != 0, output
    assert any(r.status == 401 for r in proxy.requests[before:]), "the proxy never refused a login"
    assert WRONG not in output
    assert_one_line_error(
        output, r"AISLE_OPENSEARCH_USER / AISLE_OPENSEARCH_PASSWORD: .*refused the credentials"
    )


def test_wrong_password_stops_the_indexer_in_one_line(
    built: dict[str, Any], deployment: Deployment, verified_env: dict[str, str]
) -> None:
    env = deployment.env("indexer", {**verified_env, "AISLE_OPENSEARCH_PASSWORD": WRONG}, with_ca=True)
    stats = run_cli("indexer", ["stats"], env)
    assert stats.returncode == 2  # a wrong AISLE_* setting, as in every CLI
    assert stats.stderr.strip().count("\n") == 0, stats.stderr
    assert re.match(f"indexer: error: {REFUSED}", stats.stderr), stats.stderr


def test_verification_without_the_ca_stops_the_gateway_clearly(
    built: dict[str, Any], deployment: Deployment, proxy: SecureProxy, verified_env: dict[str, str]
) -> None:
    """AISLE_OPENSEARCH_VERIFY_CERTS=true but no override mounting the CA: the system trust store does
    not know the cluster's CA, and the gateway says which settings to fix."""
    failures = len(proxy.tls_failures)
    env = deployment.env("gateway", verified_env, with_ca=False)
    assert CA_VARIABLE not in env and env["AISLE_OPENSEARCH_VERIFY_CERTS"] == "true"
    with GatewayProcess(env, free_port()) as gateway:
        status = gateway.wait_exit()
        output = gateway.output()
    assert status != 0, output
    assert len(proxy.tls_failures) > failures, "the client never attempted a TLS handshake"
    assert_one_line_error(output, TLS_FAILURE)


def test_verification_without_the_ca_stops_the_indexer_clearly(
    built: dict[str, Any], deployment: Deployment, verified_env: dict[str, str]
) -> None:
    stats = run_cli("indexer", ["stats"], deployment.env("indexer", verified_env, with_ca=False))
    assert stats.returncode == 2  # a wrong AISLE_* setting, as in every CLI
    assert stats.stderr.strip().count("\n") == 0, stats.stderr
    assert re.match(f"indexer: error: {TLS_FAILURE}", stats.stderr), stats.stderr
