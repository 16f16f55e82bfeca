"""Write the untrained prior ranker (ranker version 1) into a version directory.

    python -m engine.models.make_prior_ranker model_repository/ranker/1

The prior puts weight 1.0 on `fused_score` and 0 on every other feature, so version 1 ranks exactly by
the fusion stage's score; later versions are trained from logged clicks. The output is reproducible
(fixed seed, `--created-at` pins the timestamp) so the committed artifact can be regenerated and diffed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.models.ranker_net import (
    MODEL_PY,
    RankerManifest,
    TrainingRecord,
    init_prior_ranker,
    save_ranker,
)
from engine.ranking.features import FEATURE_NAMES

# The prior serves exactly the features the gateway computes, in its order.
PRIOR_FEATURE_NAMES = list(FEATURE_NAMES)
PRIOR_WEIGHTS = {"fused_score": 1.0}


def make_prior(out_dir: Path, version: int = 1, created_at: str | None = None) -> Path:
    """Write weights, manifest and the Triton `model.py` of the prior ranker into `out_dir`."""
    net = init_prior_ranker(PRIOR_FEATURE_NAMES, PRIOR_WEIGHTS)
    manifest = RankerManifest(
        version=version,
        feature_names=list(PRIOR_FEATURE_NAMES),
        hidden=net.mlp_hidden.out_features,
        training=TrainingRecord(kind="prior", details={"weights": PRIOR_WEIGHTS, "trained_on": None}),
    )
    if created_at:
        manifest.created_at = created_at
    save_ranker(out_dir, net, manifest)
    (out_dir / "model.py").write_text(MODEL_PY)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.models.make_prior_ranker",
        description="Write the prior ranker (weight 1.0 on fused_score) into OUT_DIR.",
        epilog="example:\n  python -m engine.models.make_prior_ranker model_repository/ranker/1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out_dir", type=Path, help="version directory, e.g. model_repository/ranker/1")
    parser.add_argument(
        "--version",
        type=int,
        default=None,
        help="version number for the manifest (default: OUT_DIR's name if numeric, else 1)",
    )
    parser.add_argument("--created-at", default=None, help="ISO timestamp to record (default: now)")
    args = parser.parse_args(argv)
    version = args.version or (int(args.out_dir.name) if args.out_dir.name.isdigit() else 1)
    path = make_prior(args.out_dir, version, args.created_at)
    print(f"wrote prior ranker version {version} to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
