"""The engine's own exception types.

Every failure the engine can explain is one of these, so the gateway can map it to an HTTP status and a
JSON body (`{"error": {"code", "message"}}`) and CLIs can print one line instead of a traceback.
"""

from __future__ import annotations


class AisleError(Exception):
    """Base of every error the engine raises on purpose. `code` is stable and machine-readable."""

    code = "internal"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(AisleError):
    """A setting is missing or wrong; the message names the environment variable."""

    code = "config"
    http_status = 500


class InvalidInput(AisleError):
    """The caller sent something the engine cannot use (bad product record, bad query, bad event)."""

    code = "invalid_input"
    http_status = 422


class NotFound(AisleError):
    """A product, model version or index that was asked for does not exist."""

    code = "not_found"
    http_status = 404


class BackendUnavailable(AisleError):
    """A server the engine depends on (Triton, OpenSearch, a broker) cannot be reached or timed out.

    `message` is for logs and CLIs and may name hosts, ports and the client's exception; `public` is what
    a remote caller may read (None: only which backend failed).
    """

    code = "backend_unavailable"
    http_status = 503

    def __init__(self, backend: str, message: str, *, public: str | None = None) -> None:
        super().__init__(f"{backend}: {message}")
        self.backend = backend
        self.public = public


class IndexUnreadable(BackendUnavailable):
    """An index on disk this version cannot read: written by an older version (another schema), removed
    or half-written. It is a backend failure (503; searches degrade to the other side, readiness fails)
    whose public message says how to get out of it, without paths."""

    def __init__(self, backend: str, message: str) -> None:
        public = f"the {backend} index cannot be read by this version: rebuild it (`indexer build --force`)"
        super().__init__(backend, message, public=public)


class IndexMismatch(AisleError):
    """An index on disk was built with another encoder (name, version or dimension) than the one served."""

    code = "index_mismatch"
    http_status = 503


class MissingDependency(AisleError):
    """An optional backend was chosen but its Python package is not installed."""

    code = "missing_dependency"
    http_status = 500

    def __init__(self, package: str, feature: str, extra: str | None = None) -> None:
        hint = f"pip install 'aisle-search[{extra}]'" if extra else f"pip install {package}"
        super().__init__(f"{feature} needs the '{package}' package: {hint}")
        self.package = package
