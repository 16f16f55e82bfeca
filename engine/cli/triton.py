"""`engine triton start|stop|status`: the local Triton Inference Server (see engine.triton.launcher)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from engine.config import Settings, load_settings
from engine.errors import BackendUnavailable

EXAMPLES = """examples:
  engine triton start                 launch Triton in the background and wait until it is ready
                                      (a Triton already serving this data directory is reused)
  engine triton start --foreground    run it attached to this terminal; Ctrl-C stops it
  engine triton start --supervise     attached, and restarted whenever it dies (e.g. as a service)
  engine triton status                pid, endpoints and the served models with their versions
  engine triton stop                  stop the server started by `engine triton start`
  AISLE_CLIP_MODEL=/models/clip engine triton start   serve a local CLIP checkpoint too
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "triton",
        help="run the local Triton Inference Server",
        description="Start, stop and inspect the Triton server that serves model_repository/.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    start = verbs.add_parser(
        "start",
        help="launch Triton and wait until it is ready",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    start.add_argument("--foreground", action="store_true", help="stay attached; stop on Ctrl-C/SIGTERM")
    start.add_argument(
        "--supervise", action="store_true", help="stay attached and restart Triton when it dies"
    )
    start.set_defaults(handler=_start)
    stop = verbs.add_parser("stop", help="stop the server recorded in <data_dir>/triton.pid")
    stop.add_argument("--grace", type=float, default=30.0, help="seconds to wait before SIGKILL")
    stop.set_defaults(handler=_stop)
    status = verbs.add_parser("status", help="show whether Triton runs and which models it serves")
    status.set_defaults(handler=_status)


def _start(args: argparse.Namespace) -> int:
    from engine.triton.launcher import refuse_foreign_server, running_server, start_triton

    settings = load_settings()
    existing = running_server(settings)
    if existing is not None:
        if args.foreground or args.supervise:
            raise BackendUnavailable(
                "triton",
                f"already running for this data directory (pid {existing.pid}, grpc {existing.grpc_url}); "
                "stop it first (engine triton stop) to run it attached",
            )
        print(
            f"triton already running: pid {existing.pid}, grpc {existing.grpc_url}, http {existing.http_url}"
        )
        return 0
    refuse_foreign_server(settings)  # before the supervisor, which would retry
    print(f"starting Triton (log: {settings.path('logs', 'triton.log')}) ...", file=sys.stderr)
    if args.supervise:
        return _supervise(settings)
    server = start_triton(settings, detach=not args.foreground)
    clip = "on" if server.clip_loaded else f"off ({server.clip_problem})"
    print(f"triton ready: pid {server.pid}, grpc {server.grpc_url}, http {server.http_url}, clip {clip}")
    if not args.foreground:
        return 0
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(1.0):
        if not server.alive():
            print("engine: error: tritonserver exited; see its log", file=sys.stderr)
            return 1
    server.stop()
    return 0


def _supervise(settings: Settings) -> int:
    """Run Triton under a `TritonSupervisor` until SIGINT/SIGTERM; 1 when it gave up restarting."""
    from engine.triton.supervisor import TritonSupervisor

    supervisor = TritonSupervisor(settings)
    server = supervisor.start()
    print(f"triton ready: pid {server.pid}, grpc {server.grpc_url} (restarted if it dies)", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(1.0):
        if supervisor.gave_up is not None:
            reason = supervisor.gave_up
            print(f"engine: error: tritonserver keeps dying ({reason}); see its log", file=sys.stderr)
            supervisor.stop()
            return 1
    supervisor.stop()
    return 0


def _stop(args: argparse.Namespace) -> int:
    from engine.triton.launcher import stop_triton

    stopped = stop_triton(load_settings(), grace_s=args.grace)
    print("triton stopped" if stopped else "triton is not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    from engine.triton.launcher import running_server

    settings = load_settings()
    server = running_server(settings)
    if server is None:
        print("triton is not running (no live pid in the pidfile)")
        return 1
    print(f"triton running: pid {server.pid}, grpc {server.grpc_url}, http {server.http_url}")
    print(f"repository: {server.repository}")
    try:
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(server.grpc_url)
        index = client.get_model_repository_index(client_timeout=settings.triton_timeout_s)
    except Exception as exc:
        raise BackendUnavailable("triton", f"running but not answering on {server.grpc_url}: {exc}") from None
    for model in sorted(index.models, key=lambda m: (m.name, m.version)):
        version = model.version or "-"
        reason = f"  ({model.reason})" if model.reason else ""
        print(f"  {model.name:<16} version {version:<4} {model.state or 'UNLOADED'}{reason}")
    return 0
