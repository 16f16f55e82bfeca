"""Pick the lexical backend from settings.

`AISLE_OPENSEARCH_URL=embedded` (the default) gives the in-process index under the data directory;
anything else is an OpenSearch cluster, which must answer at start: a wrong URL, port, password or CA
is a configuration error reported in one line naming the setting, not a stream of retries later.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from engine.errors import ConfigError
from engine.lexical.base import LexicalIndex

if TYPE_CHECKING:
    from engine.config import Settings

PROBE_TIMEOUT_S = 5.0


def create_lexical(settings: Settings, *, serving: bool = False) -> LexicalIndex:
    """The configured `LexicalIndex`; raises `ConfigError` when the OpenSearch URL cannot be reached.

    `serving`: built for the gateway (short read deadlines, see `OpenSearchLexical.from_settings`)."""
    if settings.embedded_lexical:
        from engine.lexical.embedded import EmbeddedLexical

        return EmbeddedLexical.from_settings(settings)
    from engine.lexical.opensearch import OpenSearchLexical

    check_reachable(settings)
    return OpenSearchLexical.from_settings(settings, serving=serving)


def check_reachable(settings: Settings) -> None:
    """One quick request without retries; a failure becomes a `ConfigError` naming the setting."""
    import opensearchpy

    from engine.lexical.opensearch import make_client

    url = settings.opensearch_url
    timeout = min(settings.opensearch_timeout_s, PROBE_TIMEOUT_S)
    client = make_client(settings, timeout_s=timeout, max_retries=0)
    # The client logs every failed request with a traceback; the probe's failure is reported below in
    # one line instead.
    transport_log = logging.getLogger("opensearch")
    previous_level = transport_log.level
    transport_log.setLevel(logging.CRITICAL)
    try:
        client.info()
    except opensearchpy.SSLError as exc:
        raise ConfigError(
            f"AISLE_OPENSEARCH_CA_CERTS / AISLE_OPENSEARCH_VERIFY_CERTS: TLS to {url} failed ({exc})"
        ) from None
    except opensearchpy.ConnectionTimeout:
        raise ConfigError(f"AISLE_OPENSEARCH_URL: cannot reach {url} (no answer in {timeout:g}s)") from None
    except opensearchpy.ConnectionError as exc:
        raise ConfigError(f"AISLE_OPENSEARCH_URL: cannot reach {url} ({_reason(exc)})") from None
    except (opensearchpy.AuthenticationException, opensearchpy.AuthorizationException):
        raise ConfigError(
            f"AISLE_OPENSEARCH_USER / AISLE_OPENSEARCH_PASSWORD: {url} refused the credentials"
        ) from None
    except opensearchpy.TransportError as exc:
        raise ConfigError(f"AISLE_OPENSEARCH_URL: {url} answered {exc.status_code}, not OpenSearch") from None
    finally:
        transport_log.setLevel(previous_level)
        client.close()


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "resolution" in text:
        return "unknown host"
    if "timed out" in text or "timeout" in text:
        return "timed out"
    return str(exc).splitlines()[0][:200]
