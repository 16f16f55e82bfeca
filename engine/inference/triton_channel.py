"""One gRPC client to Triton, seen through channels with their own deadline (and breaker).

A shopper's request and a batch job want different things from the same server. A search calls the
query encoder and the ranker, each normally answering in milliseconds; when Triton hangs (a stopped
process, a wedged stub) it must give up within a fraction of a second and degrade, and after a few
such waits stop asking for a while (`engine.resilience.CircuitBreaker`). Embedding a catalog sends
big batches that queue behind each other by design; there a long wait is the normal case and a
breaker would only turn a slow batch into a failed build. So `TritonInference` keeps two channels
over one client: the serving one (`AISLE_TRITON_SERVING_TIMEOUT_S`, the breaker) for query encoding,
ranking and readiness, the bulk one (`AISLE_TRITON_TIMEOUT_S`, no breaker) for product embedding and
model loading. A process that serves no shopper (the indexer, benchmarks, the ranker CLI) gets the
long deadline on both.

Errors: a server that cannot be reached, does not answer within the deadline or drops the call raises
`TritonOutage` (a `BackendUnavailable`); a model that answers with an error, or is not loaded, raises
plain `BackendUnavailable`; a request the model rejects raises `InvalidInput`. Only calls that waited
out their deadline count toward the breaker (`waited_out`): a refused connection (Triton dead or
restarting) fails in a millisecond, so refusing it gains nothing, and counting it would keep a
restarted server unused until the breaker's next trial; the gRPC channel itself retries a lost server
at most 1 s apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from engine.errors import BackendUnavailable, InvalidInput, MissingDependency
from engine.resilience import CircuitBreaker

try:
    import tritonclient.grpc as grpcclient
    from tritonclient.utils import InferenceServerException
except ImportError as exc:  # pragma: no cover - exercised by the factory's error path
    raise MissingDependency("tritonclient[grpc]", "the Triton inference backend") from exc

T = TypeVar("T")
# The server did not answer (as opposed to a model answering with an error).
_OUTAGE = ("UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED")
_MAX_MESSAGE = 2**31 - 1
# gRPC waits up to two minutes between reconnection attempts to a server that went away (exponential
# back-off from 1 s), so a restarted Triton stayed unused for many seconds. Tries at most 1 s apart
# instead: a reconnection attempt to a loopback or in-cluster server costs next to nothing.
CHANNEL_ARGS = [
    ("grpc.max_send_message_length", _MAX_MESSAGE),
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]


class TritonOutage(BackendUnavailable):
    """Triton did not answer: unreachable, past the call's deadline (`waited`), or the call was dropped."""

    def __init__(self, message: str, *, waited: bool = False) -> None:
        super().__init__("triton", message)
        self.waited = waited


def waited_out(exc: BackendUnavailable) -> bool:
    """What the Triton breaker counts (`CircuitBreaker(counts=...)`): calls that waited out their
    deadline."""
    return isinstance(exc, TritonOutage) and exc.waited


def translate(exc: InferenceServerException, what: str, url: str) -> Exception:
    status, message = str(exc.status() or ""), exc.message() or str(exc)
    if status.endswith("INVALID_ARGUMENT") and "unknown model" not in message:
        return InvalidInput(f"{what}: {message}")
    if "failed to connect" in message or status.endswith("UNAVAILABLE"):
        return TritonOutage(f"{what}: cannot reach Triton at {url} (AISLE_TRITON_URL): {message}")
    if any(status.endswith(code) for code in _OUTAGE):
        return TritonOutage(f"{what}: {message}", waited=status.endswith("DEADLINE_EXCEEDED"))
    return BackendUnavailable("triton", f"{what}: {status or 'error'}: {message}")


def open_client(url: str) -> Any:
    """The gRPC client every channel of one `TritonInference` shares (safe to use from many threads)."""
    return grpcclient.InferenceServerClient(url, channel_args=CHANNEL_ARGS)


class Channel:
    """Calls through `client` with `timeout_s` as each call's deadline, behind `breaker` if given."""

    def __init__(self, client: Any, url: str, timeout_s: float, breaker: CircuitBreaker | None = None):
        self.client, self.url, self.timeout_s, self.breaker = client, url, timeout_s, breaker

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        kwargs.setdefault("client_timeout", self.timeout_s)
        if self.breaker is None:
            return self._call(what, fn, *args, **kwargs)
        return self.breaker.call(self._call, what, fn, *args, **kwargs)

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except InferenceServerException as exc:
            raise translate(exc, what, self.url) from None
