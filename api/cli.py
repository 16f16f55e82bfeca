"""`gateway` command line: serve the HTTP API.

Examples:
  gateway serve                               127.0.0.1:8080, one worker, backends from AISLE_* settings
  gateway serve --host 0.0.0.0 --port 9000 --workers 2
  AISLE_API_KEY=secret gateway serve          enable POST/DELETE /v1/products
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from engine.cli.exits import run_command, warn_unknown_environment
from engine.config import Settings, load_settings
from engine.errors import ConfigError, InvalidInput

EPILOG = """examples:
  gateway serve                          serve on 127.0.0.1:8080 (AISLE_API_HOST / AISLE_API_PORT)
  gateway serve --host 0.0.0.0 --port 9000 --workers 2
  AISLE_OPENSEARCH_URL=http://127.0.0.1:9200 AISLE_TRITON_URL=127.0.0.1:8001 gateway serve
  AISLE_API_KEY=secret gateway serve     enable product writes (Authorization: Bearer secret)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway",
        description="Aisle HTTP gateway (FastAPI).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve the HTTP API with uvicorn",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", help="bind address (default: AISLE_API_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: AISLE_API_PORT, 8080)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    serve.set_defaults(handler=_serve)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()  # fail fast on a wrong AISLE_* value, before any worker starts
    if args.workers < 1:
        raise InvalidInput("--workers must be >= 1")
    preflight(settings)
    with shared_triton(settings, args.workers):
        uvicorn.run(
            "api.main:app",
            host=args.host or settings.api_host,
            port=args.port or settings.api_port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=False,
        )
    return 0


@contextmanager
def shared_triton(settings: Settings, workers: int) -> Iterator[None]:
    """With several workers and `AISLE_TRITON_URL=local`, launch Triton here, once, before the workers
    start: each worker then finds it running and shares it, instead of all of them racing to launch one.
    It stops when the gateway does. A single worker launches (and stops) its own, as before."""
    if workers == 1 or settings.triton_url != "local":
        yield
        return
    from engine.triton.launcher import running_server, start_triton

    if running_server(settings) is not None:
        yield
        return
    with start_triton(settings):  # stopped when the workers are done
        yield


def preflight(settings: Settings) -> None:
    """Check the remote backends once before uvicorn starts, so a wrong URL, password or CA stops the
    gateway with one line naming the setting instead of a startup traceback from every worker."""
    if not settings.embedded_lexical:
        from engine.lexical.factory import check_reachable

        check_reachable(settings)
    if settings.event_log == "kafka" and not settings.kafka_bootstrap:
        raise ConfigError("AISLE_KAFKA_BOOTSTRAP: must name host:port[,host:port] when AISLE_EVENT_LOG=kafka")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warn_unknown_environment("gateway")
    return run_command("gateway", lambda: args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
