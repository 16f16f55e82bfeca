"""Settings (engine.config): what the deployment sets is understood, and a wrong value stops a process
with one line naming the variable.

pydantic-settings ignores environment variables it has no field for, so a misspelt AISLE_* variable in
docker-compose.yml would silently fall back to a default: the first tests hold the compose file's job
and gateway services to the settings class. The rest feed bad values through the environment, through
an AISLE_CONFIG TOML file and through the real command-line entry points.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import ENV_PREFIX, Settings, get_settings, load_settings
from engine.errors import ConfigError
from engine.lexical.matching import DEFAULT_IDENTIFIERS, DEFAULT_WEIGHTS, SearchFields
from indexer.readers import FeedFormat
from tests.support import compose
from tests.support.processes import clean_env, run_cli

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("gateway", "indexer", "indexer-gpu", "ranker-update")
CONFIG_VARIABLE = f"{ENV_PREFIX}CONFIG"  # names the TOML file; not a field itself
SECRETS = {"AISLE_OPENSEARCH_PASSWORD": "pw", "AISLE_API_KEY": "key"}
CA_OVERRIDE = compose.documented_override(ROOT / "docs" / "production.md", "AISLE_OPENSEARCH_CA_CERTS")


@pytest.fixture(autouse=True)
def no_aisle_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test sees only the AISLE_* variables it sets."""
    for key in list(os.environ):
        if key.startswith(ENV_PREFIX):
            monkeypatch.delenv(key)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def one_line_error(**env: str) -> str:
    """The ConfigError message for these variables, checked to be a single line."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        with pytest.raises(ConfigError) as caught:
            load_settings()
    message = caught.value.message
    assert "\n" not in message, message
    return message


# ---- the compose file's settings ----------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_compose_variable_is_a_setting(name: str) -> None:
    svc = compose.service(compose.load(), name, CA_OVERRIDE)
    keys = [k for k in compose.environment(svc, SECRETS) if k.startswith(ENV_PREFIX)]
    assert len(keys) > 15, keys
    unknown = [
        k for k in keys if k != CONFIG_VARIABLE and k[len(ENV_PREFIX) :].lower() not in Settings.model_fields
    ]
    assert unknown == [], f"{name}: not settings in engine/config.py: {unknown}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_defaults_are_valid_settings(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With only the secrets in .env, every service's environment loads as the deployment means it."""
    for key, value in compose.environment(compose.service(compose.load(), name), SECRETS).items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.opensearch_url == "https://opensearch:9200" and not settings.embedded_lexical
    assert settings.opensearch_user == "admin"
    assert (
        settings.opensearch_password is not None and settings.opensearch_password.get_secret_value() == "pw"
    )
    assert settings.opensearch_verify_certs is False and settings.opensearch_ca_certs is None
    assert settings.triton_url == "triton:8001"
    assert settings.data_dir == Path("/var/lib/aisle")
    assert settings.text_model == ""  # empty means the packaged encoder, not a model called ""
    assert settings.vector_device == ("gpu" if name == "indexer-gpu" else "cpu")


def test_compose_refuses_to_start_without_the_secrets() -> None:
    gateway = compose.service(compose.load(), "gateway")
    with pytest.raises(compose.ComposeError, match="AISLE_OPENSEARCH_PASSWORD"):
        compose.environment(gateway, {"AISLE_API_KEY": "key"})
    with pytest.raises(compose.ComposeError, match="AISLE_API_KEY"):
        compose.environment(gateway, {"AISLE_OPENSEARCH_PASSWORD": "pw"})


def test_documented_ca_override_enables_verification_with_the_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    svc = compose.service(compose.load(), "gateway", CA_OVERRIDE)
    env = compose.environment(svc, {**SECRETS, "AISLE_OPENSEARCH_VERIFY_CERTS": "true"})
    assert env["AISLE_OPENSEARCH_CA_CERTS"] in compose.mount_targets(svc)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.opensearch_verify_certs is True
    assert settings.opensearch_ca_certs == Path(env["AISLE_OPENSEARCH_CA_CERTS"])


# ---- bad values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "detail"),
    [
        ("AISLE_VECTOR_BACKEND", "annoy", "faiss"),
        ("AISLE_EVENT_LOG", "rabbitmq", "kafka"),
        ("AISLE_VECTOR_INDEX", "lsh", "hnsw"),
        ("AISLE_OPENSEARCH_URL", "ftp://search:9200", "http(s)://host:port"),
        ("AISLE_OPENSEARCH_URL", "search:9200", "http(s)://host:port"),
        ("AISLE_OPENSEARCH_URL", "https://a:9200,b:9200", "http(s)://host:port"),
        ("AISLE_TRITON_URL", "http://triton:8001", "host:port"),
        ("AISLE_TRITON_URL", "triton", "host:port"),
        ("AISLE_TRITON_URL", "triton:-1", "host:port"),
        ("AISLE_API_PORT", "-1", "greater than or equal to 1"),
        ("AISLE_API_PORT", "70000", "less than or equal to 65535"),
        ("AISLE_TRITON_GRPC_PORT", "0", "greater than or equal to 1"),
        ("AISLE_OPENSEARCH_VERIFY_CERTS", "maybe", "boolean"),
        ("AISLE_OPENSEARCH_TIMEOUT_S", "0", "greater than 0"),
        ("AISLE_HNSW_M", "lots", "integer"),
        ("AISLE_NEAR_MATCH_BELOW", "-5", "greater than or equal to 0"),
        ("AISLE_INDEX_ALIAS", "Products!", "pattern"),
        ("AISLE_CATALOG_LANGUAGE", "fi", "'polish'"),
        (
            "AISLE_CATALOG_COLUMNS",
            '{"titel": "title", "naam": "title"}',
            "maps both 'titel' and 'naam' to 'title'",
        ),
        ("AISLE_CATALOG_COLUMNS", '{"titel": ""}', "empty"),
        ("AISLE_CATALOG_ENCODING", "klingon", "unknown encoding 'klingon'"),
        ("AISLE_PAGE_FACETS", '{"author": " "}', "an attribute name or heading is empty"),
        ("AISLE_PAGE_FACETS", json.dumps({f"a{i}": "A" for i in range(13)}), "at most 12 facets, got 13"),
    ],
)
def test_bad_value_names_the_variable(variable: str, value: str, detail: str) -> None:
    message = one_line_error(**{variable: value})
    assert message.startswith(f"{variable}: "), message
    assert detail in message


def test_every_bad_variable_is_named_at_once() -> None:
    message = one_line_error(AISLE_API_PORT="-1", AISLE_VECTOR_BACKEND="annoy", AISLE_HNSW_M="x")
    named = set(re.findall(r"AISLE_[A-Z_]+", message))
    assert named == {"AISLE_API_PORT", "AISLE_VECTOR_BACKEND", "AISLE_HNSW_M"}, message


def test_secrets_are_not_echoed() -> None:
    secret = "hunter2-do-not-print"
    message = one_line_error(AISLE_OPENSEARCH_PASSWORD=secret, AISLE_API_PORT="-1")
    assert secret not in message


def test_good_values_are_parsed() -> None:
    env = {
        "AISLE_OPENSEARCH_URL": "https://search-1:9200, https://search-2:9200",
        "AISLE_OPENSEARCH_VERIFY_CERTS": "false",
        "AISLE_TRITON_URL": "triton.internal:8001",
        "AISLE_API_PORT": "9000",
        "AISLE_CATALOG_COLUMNS": '{"Published": "published", "Visibility in catalog": "published", '
        '"Position": null}',
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        settings = load_settings()
    assert settings.opensearch_hosts == ["https://search-1:9200", "https://search-2:9200"]
    assert settings.opensearch_verify_certs is False
    assert settings.triton_url == "triton.internal:8001" and settings.api_port == 9000
    assert set(settings.catalog_columns) == {"Published", "Visibility in catalog", "Position"}  # either hides
    assert settings.catalog_columns["Position"] is None  # a column left out


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("nl", "dutch"),
        ("NL", "dutch"),
        ("nl-BE", "dutch"),
        ("de_AT", "german"),
        ("French", "french"),
        ("en", "english"),
        ("sv-SE", "swedish"),
        ("nb", "norwegian"),
        ("pt-BR", "portuguese"),
        ("Danish", "danish"),
        ("tr", "turkish"),
        ("tr-TR", "turkish"),
        ("pl-PL", "polish"),
    ],
)
def test_catalog_language_is_named_by_name_or_iso_code(value: str, language: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AISLE_CATALOG_LANGUAGE", value)
        assert load_settings().catalog_language == language


@pytest.mark.parametrize("value", ["ja", "ja-JP", "Japanese", "zh_CN", "ko"])
def test_a_cjk_language_is_told_that_any_catalog_language_searches_it(value: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AISLE_CATALOG_LANGUAGE", value)
        with pytest.raises(ConfigError, match="searchable in any catalog language, by character bigrams"):
            load_settings()


# ---- AISLE_CONFIG (TOML) --------------------------------------------------------------------------------


def test_missing_config_file_names_the_variable(tmp_path: Path) -> None:
    message = one_line_error(AISLE_CONFIG=str(tmp_path / "nowhere.toml"))
    assert message == f"AISLE_CONFIG: no such file: {tmp_path / 'nowhere.toml'}"


def test_config_file_values_apply_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "aisle.toml"
    config.write_text(
        'opensearch_url = "https://search.internal:9200"\n'
        'triton_url = "triton.internal:8001"\n'
        "hnsw_m = 48\n"
        "opensearch_verify_certs = true\n"
    )
    monkeypatch.setenv("AISLE_CONFIG", str(config))
    from_file = load_settings()
    assert from_file.opensearch_url == "https://search.internal:9200"
    assert from_file.triton_url == "triton.internal:8001" and from_file.hnsw_m == 48

    monkeypatch.setenv("AISLE_HNSW_M", "16")
    monkeypatch.setenv("AISLE_OPENSEARCH_VERIFY_CERTS", "false")
    overridden = load_settings()
    assert overridden.hnsw_m == 16 and overridden.opensearch_verify_certs is False
    assert overridden.opensearch_url == "https://search.internal:9200"
    assert load_settings(hnsw_m=8).hnsw_m == 8  # keyword arguments win over both


@pytest.mark.parametrize(
    ("toml", "variable", "detail"),
    [
        ("hnsw_m = -3\n", "AISLE_HNSW_M", "greater than or equal to 4"),
        ('triton_url = "grpc://triton:8001"\n', "AISLE_TRITON_URL", "host:port"),
        ('vector_backend = "annoy"\n', "AISLE_VECTOR_BACKEND", "faiss"),
        ("not_a_setting = 1\n", "AISLE_NOT_A_SETTING", "not permitted"),
    ],
)
def test_bad_config_file_value_names_the_variable(
    tmp_path: Path, toml: str, variable: str, detail: str
) -> None:
    config = tmp_path / "aisle.toml"
    config.write_text(toml)
    message = one_line_error(AISLE_CONFIG=str(config))
    assert message.startswith(f"{variable}: ") and detail in message, message


def test_unparsable_config_file_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "aisle.toml"
    config.write_text("hnsw_m = \n")
    message = one_line_error(AISLE_CONFIG=str(config))
    assert message.startswith("AISLE_CONFIG: ") and str(config) in message, message


# ---- the command-line entry points ------------------------------------------------------------------


CLIS = [("gateway", ["serve"]), ("indexer", ["stats"]), ("engine", ["triton", "status"])]


@pytest.mark.parametrize(("program", "args"), CLIS, ids=[p for p, _ in CLIS])
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AISLE_TRITON_URL": "http://triton:8001"}, "AISLE_TRITON_URL: "),
        ({"AISLE_API_PORT": "-1"}, "AISLE_API_PORT: "),
        ({"AISLE_CONFIG": "/nonexistent/aisle.toml"}, "AISLE_CONFIG: no such file: /nonexistent/aisle.toml"),
    ],
    ids=["url", "port", "config"],
)
def test_cli_prints_one_line_and_fails(
    program: str, args: list[str], env: dict[str, str], expected: str, tmp_path: Path
) -> None:
    result = run_cli(program, args, clean_env({"AISLE_DATA_DIR": str(tmp_path), **env}), timeout=120)
    assert result.returncode == 2  # a wrong setting is a usage error, the same for every command
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{program}: error: {expected}"), lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["AISLE_IDENTIFIER_FIELDS", "AISLE_SEARCH_FIELDS"])
def test_a_list_or_mapping_variable_that_is_not_json_is_one_line_naming_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, "sku,isbn")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"{name}: not valid JSON") and "\n" not in str(raised.value)


def test_the_default_searchable_fields_are_the_lexical_indexes_defaults(tmp_path: Path) -> None:
    """`Settings` keeps its own copy (the settings module imports nothing of the engine's)."""
    settings = load_settings(data_dir=tmp_path)
    assert settings.search_fields == DEFAULT_WEIGHTS == SearchFields().weights
    assert settings.identifier_fields == DEFAULT_IDENTIFIERS == SearchFields().identifiers
    assert FeedFormat().identifiers == DEFAULT_IDENTIFIERS  # what the indexer's loader keeps per variant
