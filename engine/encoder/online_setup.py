"""The update job's query-tower step wired to a data directory's served parts.

`engine ranker update --encoder-every N` and the click simulation (`bench.simulate --encoder-every N`)
assemble the same step: warm-started from the serving tower (or the configured base model), trained
against the live generation's product vectors, served through the model server the update job uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.encoder.evaluate import EvalQuery
from engine.encoder.online import EncoderStep, EncoderStepConfig
from engine.encoder.trial import EncoderTrialLoader
from engine.events.base import EventLog


def serving_step(
    settings: Settings,
    log: EventLog,
    loader: EncoderTrialLoader,
    config: EncoderStepConfig,
    check: Sequence[EvalQuery] = (),
    check_min_grade: float = 1.0,
) -> EncoderStep:
    """The step over the live vectors, warm-started from the serving tower, serving through `loader`."""
    from engine.encoder.job import load_tower
    from engine.encoder.served import live_text_vectors
    from engine.models.text_encoder import resolve_text_model

    base_dir, _ = resolve_text_model(settings.text_model, settings.resolved_text_model())

    def load(path: Path) -> Any:
        return load_tower(path, settings.text_max_tokens, "cpu")

    return EncoderStep(
        settings,
        log,
        lambda: live_text_vectors(settings)[1],
        load,
        base_dir,
        lambda: loader,
        config,
        check,
        check_min_grade,
    )
