"""`engine encoder finetune|versions|rollout|rollback|trial`: the query tower, fine-tuned and served by
version (`trial`: the interleaved trial on live searches, in `engine.cli.encoder_trial`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.cli.encoder_trial import register as register_trial
from engine.config import load_settings
from engine.errors import ConfigError, InvalidInput, NotFound

EXAMPLES = """examples:
  engine encoder finetune --products ../shared/datasets/homedepot/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv \\
      --qrels ../shared/datasets/homedepot/qrels.dev.tsv --rollout
  engine encoder finetune --products catalog.jsonl --clicks
                                        learn from the shop's own click log
  engine encoder finetune --towers both --products catalog.jsonl --queries q.tsv --qrels r.tsv \\
      --negative-grade 1.67
  indexer build catalog.jsonl --text-tower 4
                                        train both towers (judged-down products as hard
                                        negatives), then re-embed the catalog and switch
  engine encoder fusion --queries q.tsv --qrels r.tsv
                                        with a fine-tuned version serving: fit the lexical / dense
                                        fusion weights on judged queries and store them with it
  engine encoder versions               kept query-tower versions and the serving one
  engine encoder rollout 3              serve version 3 (checked against the product vectors)
  engine encoder rollback               serve the version that served before the current one
  engine encoder trial start 3          trial version 3 against the serving tower on live searches
  engine encoder trial status           the trial's wins, losses, ties and p-value
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "encoder",
        help="fine-tune the BERT query tower, roll its versions out and back",
        description="Query-tower versions: trained on judgements, gated, served by Triton by version.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    tune = verbs.add_parser(
        "finetune",
        help="train a query-tower version on judged pairs and/or clicks (product vectors stay as they are)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tune.add_argument("--products", type=Path, required=True, help="catalog JSON lines")
    tune.add_argument("--queries", type=Path, help="TSV: query_id, query (with --qrels)")
    tune.add_argument("--qrels", type=Path, help="TSV: query_id, product_id, grade (judged pairs)")
    tune.add_argument(
        "--clicks",
        action="store_true",
        help="also (or only) learn from the event log: clicks weighted by inverse propensity",
    )
    tune.add_argument("--click-records", type=int, default=1_000_000, help="log records to read")
    tune.add_argument("--negatives", type=int, default=4, help="passed-over products per click pair")
    tune.add_argument("--max-weight", type=float, default=10.0, help="cap on a click's IPS weight")
    tune.add_argument("--min-grade", type=float, default=2.5, help="grade a pair needs (default 2.5)")
    tune.add_argument(
        "--negative-grade",
        type=float,
        help="judged products graded at or below this train as their query's hard negatives "
        "(e.g. 1.67 on a 1-3 scale; default: none)",
    )
    tune.add_argument("--epochs", type=int, default=1)
    tune.add_argument("--batch-size", type=int, default=64, help="pairs per step = in-batch negatives + 1")
    tune.add_argument("--lr", type=float, default=3e-5, help="peak AdamW learning rate")
    tune.add_argument("--warmup", type=float, default=0.1, help="fraction of steps of linear warmup")
    tune.add_argument("--anchor", type=float, default=0.1, help="weight of the L2 pull to the start weights")
    tune.add_argument("--eval-every", type=int, default=50, help="steps between validation runs")
    tune.add_argument("--patience", type=int, default=3, help="validations without gain before stopping")
    tune.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    tune.add_argument("--validation-frac", type=float, default=0.1, help="queries for early stopping")
    tune.add_argument("--check-frac", type=float, default=0.2, help="queries for the gate")
    tune.add_argument("--seed", type=int, default=13, help="split and shuffling seed")
    tune.add_argument("--tolerance", type=float, default=0.0, help="gate: allowed check-set nDCG drop")
    tune.add_argument("--device", default="auto", help="cpu, cuda, cuda:1 ... (auto: cuda if present)")
    tune.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    tune.add_argument("--plot", type=Path, help="loss curve PNG (default under the data dir)")
    tune.add_argument("--rollout", action="store_true", help="serve the version if it passes the gate")
    tune.add_argument(
        "--towers",
        choices=("query", "both"),
        default="query",
        help="query: the query tower against the served vectors (default); both: one shared encoder, "
        "served after `indexer build CATALOG --text-tower N` re-embeds the catalog with it",
    )
    tune.add_argument(
        "--corpus", type=int, default=5000, help="both towers: products re-embedded for validation and gate"
    )
    tune.set_defaults(handler=_finetune)

    fusion = verbs.add_parser(
        "fusion",
        help="fit lexical / dense fusion weights for the serving fine-tuned version, store them with it",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fusion.add_argument("--queries", type=Path, required=True, help="TSV: query_id, query")
    fusion.add_argument("--qrels", type=Path, required=True, help="TSV: query_id, product_id, grade")
    fusion.add_argument("--max-queries", type=int, default=0, help="seeded sample of judged queries (0: all)")
    fusion.add_argument("--seed", type=int, default=13, help="sampling seed")
    fusion.add_argument("--dry-run", action="store_true", help="fit and print, store nothing")
    fusion.add_argument(
        "--include-encoder-queries", action="store_true", help="keep the queries the version trained on"
    )
    fusion.set_defaults(handler=_fusion)

    verbs.add_parser("versions", help="kept versions, their manifests and the serving one").set_defaults(
        handler=_versions
    )
    forward = verbs.add_parser("rollout", help="serve a kept version")
    forward.add_argument("version", type=int)
    forward.set_defaults(handler=_rollout)
    back = verbs.add_parser("rollback", help="serve an earlier version (default: the one served before)")
    back.add_argument("version", type=int, nargs="?")
    back.set_defaults(handler=_rollback)
    register_trial(verbs)


def _loader(settings: Any) -> Any:
    from engine.inference.factory import TOWER_VERSIONS_NEED_TRITON, create_inference

    backend = create_inference(settings)
    if not hasattr(backend, "load_query_encoder_version"):
        backend.close()
        raise ConfigError(TOWER_VERSIONS_NEED_TRITON)
    return backend


def _device(value: str) -> str:
    if value != "auto":
        return value
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _finetune(args: argparse.Namespace) -> int:
    from engine.encoder.job import FinetuneRequest, run_finetune
    from engine.encoder.train import FinetuneConfig

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    settings = load_settings()
    config = FinetuneConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        warmup=args.warmup,
        anchor=args.anchor,
        eval_every=args.eval_every,
        patience=args.patience,
        max_steps=args.max_steps,
        seed=args.seed,
        towers=args.towers,
    )
    config.check()
    if args.towers == "both" and args.rollout:
        raise InvalidInput(
            "--rollout serves a query tower against the live vectors; a both-towers version serves "
            "with the vectors it embeds: run `indexer build CATALOG --text-tower N` after this"
        )
    if args.corpus < 2:
        raise InvalidInput(f"--corpus must be at least 2 products, got {args.corpus}")
    request = FinetuneRequest(
        queries=args.queries,
        qrels=args.qrels,
        products=args.products,
        pair_min_grade=args.min_grade,
        negative_grade=args.negative_grade,
        validation_fraction=args.validation_frac,
        check_fraction=args.check_frac,
        split_seed=args.seed,
        tolerance=args.tolerance,
        device=_device(args.device),
        plot=args.plot,
        config=config,
        clicks=args.clicks,
        click_records=args.click_records,
        max_negatives=args.negatives,
        max_weight=args.max_weight,
        corpus=args.corpus,
    )
    request.check()
    backends: list[Any] = []

    def loader() -> Any:
        backends.append(_loader(settings))
        return backends[-1]

    try:
        record = run_finetune(
            settings,
            request,
            loader if args.rollout else None,
            progress=sys.stderr.isatty(),
            log=lambda line: print(line, file=sys.stderr),
        )
    finally:
        for backend in backends:
            backend.close()
    gate = record["gate"]
    print(
        f"{record['action']}: version {record['version']}  check nDCG@10 {gate['candidate_ndcg']:.4f} "
        f"(serving {gate['serving_ndcg']:.4f}, {gate['queries']} queries)  plot {record['plot']}"
    )
    return 0 if record["action"] != "rejected" else 1


def _fusion(args: argparse.Namespace) -> int:
    from engine.encoder.fusion_job import FusionRequest, run_fusion_fit
    from engine.encoder.versions import QueryEncoderStore
    from engine.services import open_services

    keep = args.include_encoder_queries
    request = FusionRequest(args.queries, args.qrels, args.max_queries, args.seed, not args.dry_run, keep)
    request.check()
    settings = load_settings()
    services = open_services(settings)  # the gateway's pipeline, so the fit sees what it serves
    try:
        resolve = getattr(services.inference, "query_version_for", None)
        version = resolve(services.catalog.manifest.encoders["text"]) if callable(resolve) else None
        progress = _progress() if sys.stderr.isatty() else None
        record = run_fusion_fit(QueryEncoderStore(settings), services.pipeline, version, request, progress)
    finally:
        services.close()
    print(json.dumps(record, indent=2))
    return 0


def _progress() -> Any:
    from tqdm import tqdm

    bar = tqdm(unit="query", desc="fusion")

    def step(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return step


def _versions(args: argparse.Namespace) -> int:
    from engine.encoder.versions import QueryEncoderStore

    store = QueryEncoderStore(load_settings())
    serving = store.serving()
    for version in store.versions():
        manifest = store.manifest(version)
        mark = "*" if version == serving else " "
        if manifest is None:
            print(f"{mark} {version}  the configured text model")
        else:
            cand, serv = (
                manifest.validation.get(k, float("nan")) for k in ("candidate_ndcg", "serving_ndcg")
            )
            kind = "both towers" if manifest.embeds_products else "query tower"
            print(
                f"{mark} {version}  from {manifest.parent} ({kind})  product space "
                f"{manifest.base.name}@{manifest.base.version}  check nDCG@10 {cand:.4f} (was {serv:.4f})"
            )
    return 0


def _serve(version: int | None, back: bool) -> int:
    from engine.encoder.rollout import check_rollout, roll_out, rollback
    from engine.encoder.versions import QueryEncoderStore

    settings = load_settings()
    store = QueryEncoderStore(settings)
    if version is not None and version not in store.versions():
        raise NotFound(f"query-encoder version {version} does not exist (kept: {store.versions()})")
    if not back:
        check_rollout(store, int(version or 0))  # refused before Triton is reached or started
    backend = _loader(settings)
    try:
        record = rollback(store, backend, version) if back else roll_out(store, backend, int(version or 0))
    finally:
        backend.close()
    print(json.dumps(record, sort_keys=True))
    return 0


def _rollout(args: argparse.Namespace) -> int:
    return _serve(args.version, back=False)


def _rollback(args: argparse.Namespace) -> int:
    return _serve(args.version, back=True)
