"""Start Triton Inference Server in the `aisle/triton` image: prepare the model repository, then exec.

The image's repository (`AISLE_MODEL_REPOSITORY`, read-only) is the source; Triton serves the runtime
copy on the data volume (`$AISLE_DATA_DIR/model_repository`), which the ranking-update job also writes
new ranker versions into and rolls out through Triton's repository API. At every start this script

1. refreshes the runtime copy with the engine's own `prepare_runtime_repository` (the same code the
   development launcher uses): models come from the image, ranker versions written by the update job
   and the rolled-out `version_policy` are kept, the encoder parameters are filled from `AISLE_*`, and
   every instance group becomes `KIND_GPU` when `AISLE_TRITON_GPU` is set (the `gpu` compose profile
   sets it), `KIND_CPU` otherwise;
2. execs `tritonserver` (so it is the container's main process and receives its signals) in explicit
   model-control mode, listening on all interfaces on `AISLE_TRITON_HTTP_PORT` / `_GRPC_PORT` /
   `_METRICS_PORT`, and loading `TRITON_MODELS` (comma-separated). Left empty, that is `query_encoder`
   and `ranker`, plus `clip` when its weights are available locally (a mounted path or the Hugging
   Face cache); CLIP is optional and the reason it is off is printed.

Arguments after `--` are passed to tritonserver unchanged, e.g. `-- --log-verbose=1`. Exit status 2
with one line on stderr when settings or the repository are wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from engine.errors import AisleError, ConfigError

TRITONSERVER = "/opt/tritonserver/bin/tritonserver"


def server_command(
    binary: str,
    repository: Path,
    models: Sequence[str],
    ports: tuple[int, int, int],
    extra: Sequence[str] = (),
) -> list[str]:
    """The tritonserver argument vector: explicit model control, listening on all interfaces."""
    http, grpc, metrics = ports
    return [
        binary,
        f"--model-repository={repository}",
        "--model-control-mode=explicit",
        *(f"--load-model={m}" for m in models),
        f"--http-port={http}",
        f"--grpc-port={grpc}",
        f"--metrics-port={metrics}",
        "--allow-metrics=true",
        "--exit-timeout-secs=15",
        *extra,
    ]


def choose_models(requested: str, available: Sequence[str], default: Sequence[str]) -> list[str]:
    """`TRITON_MODELS` as a list (or `default` when empty); every name must be in the repository."""
    models = [m.strip() for m in requested.split(",") if m.strip()] or list(default)
    missing = [m for m in models if m not in available]
    if missing:
        raise ConfigError(f"TRITON_MODELS: not in the model repository: {', '.join(missing)}")
    return models


def prepare(argv_extra: Sequence[str]) -> list[str]:
    """Prepare the runtime repository and return the tritonserver command (raises on bad settings)."""
    from engine.config import load_settings
    from engine.triton.launcher import CLIP, REQUIRED_MODELS, model_parameters
    from engine.triton.repository import CONFIG_FILE, prepare_runtime_repository

    settings = load_settings()
    parameters, clip_problem = model_parameters(settings)
    repository = prepare_runtime_repository(settings, parameters)
    available = sorted(p.name for p in repository.iterdir() if (p / CONFIG_FILE).is_file())
    default = [*REQUIRED_MODELS, *([CLIP] if clip_problem is None else [])]
    models = choose_models(os.environ.get("TRITON_MODELS", ""), available, default)
    kind = "KIND_GPU" if settings.triton_gpu else "KIND_CPU"
    print(f"triton-start: serving {repository} ({kind}): {', '.join(models)}")
    if CLIP not in models and clip_problem:
        print(f"triton-start: clip not loaded: {clip_problem}")
    ports = (settings.triton_http_port, settings.triton_grpc_port, settings.triton_metrics_port)
    binary = os.environ.get("TRITONSERVER", TRITONSERVER)
    return server_command(binary, repository, models, ports, argv_extra)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="triton-start", description="Prepare the repository, exec Triton.")
    parser.add_argument("--dry-run", action="store_true", help="prepare the repository, print the command")
    parser.add_argument("extra", nargs="*", help="arguments after -- go to tritonserver")
    args = parser.parse_args(argv)

    try:
        command = prepare(args.extra)
    except (AisleError, OSError) as exc:
        print(f"triton-start: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(" ".join(command))
        return 0
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached: execv replaced this process


if __name__ == "__main__":
    sys.exit(main())
