"""The durable state of an interleaved trial, shared by the update job (which runs it) and the gateway
(which serves it).

One file, `<data_dir>/learning/trial.json`, written atomically (`engine.storage.write_atomic`). It is the only
thing the two processes share about a trial, so a crash of either resumes from it: the counts are never
stored as the truth, they are recounted from the event log after `start_offset` at every decision.

Each trialled model has its own file: `trial.json` for ranker versions, `encoder_trial.json` for
query-encoder versions (`engine.encoder.trial`); `TrialState.model` names which, and so does every
interleaved impression (`model`, absent for the ranker), so the two can run side by side and their
counts never mix.

Statuses: `starting` (file written, model server not yet serving both versions), `running` (the gateway
interleaves), `promoted` / `stopped` (final; the gateway serves normally again).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.storage import write_atomic

TRIAL_FILE = "trial.json"
TRIAL_FILES = {"ranker": TRIAL_FILE, "encoder": "encoder_trial.json"}
ACTIVE = ("starting", "running")


@dataclass(frozen=True)
class TrialConfig:
    """When a trial decides. `share` is the fraction of eligible searches that are interleaved.

    `max_searches` bounds how long a candidate too close to the serving version can hold the trial
    (while it runs, no new candidate is trained). About half the interleaved searches are decisive
    (the rest get no click, or clicks only on the common prefix), so 2,000 searches give the sign test
    about 1,000 decisive ones: enough to see a 54/46 preference 80% of the time at alpha 0.05. A
    smaller difference is not worth a rollout; it is stopped, and the next candidate gets its turn.

    The two decisions are held to different evidence: `alpha` for a promotion, the looser
    `stop_alpha` for a stop. The costs are not symmetric: a good candidate stopped by chance costs a
    later retry (the next update trains another), a harmful one left running costs shoppers every
    interleaved search until it is stopped, and it may be promoted once live clicks drift. So a
    candidate that is behind at p < `stop_alpha` (0.10) stops; one that is ahead needs p < `alpha`.
    Once `min_searches` are in, a candidate still behind stops whatever the p-value (futility): a
    candidate worth promoting leads by then, and a weak loss may only look better later because live
    clicks have moved the click features it leans on.
    """

    share: float = 0.5
    alpha: float = 0.05
    stop_alpha: float = 0.10
    min_searches: int = 200
    max_searches: int = 2_000
    max_hours: float = 72.0

    def __post_init__(self) -> None:
        if not 0.0 < self.share <= 1.0:
            raise ValueError(f"trial share must be in (0, 1], got {self.share}")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"trial alpha must be in (0, 1), got {self.alpha}")
        if not 0.0 < self.stop_alpha < 1.0:
            raise ValueError(f"trial stop_alpha must be in (0, 1), got {self.stop_alpha}")
        if self.min_searches < 1 or self.max_searches < self.min_searches:
            raise ValueError("trial needs 1 <= min_searches <= max_searches")
        if self.max_hours <= 0:
            raise ValueError(f"trial max_hours must be positive, got {self.max_hours}")


@dataclass
class TrialState:
    candidate: int
    serving: int
    start_offset: int
    config: TrialConfig = field(default_factory=TrialConfig)
    status: str = "starting"
    started_at: float = field(default_factory=time.time)
    decided_at: float | None = None
    reason: str = ""
    recorded: bool = False  # the final decision is in rollouts.jsonl
    model: str = "ranker"  # what is trialled: "ranker" or "encoder" (query-tower versions)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialState:
        config = TrialConfig(**data.get("config", {}))
        fields = {k: v for k, v in data.items() if k != "config"}
        return cls(config=config, **fields)


def trial_path(data_dir: Path, model: str = "ranker") -> Path:
    return Path(data_dir) / "learning" / TRIAL_FILES[model]


def load_trial(path: Path) -> TrialState | None:
    """The trial in `path`, or None when there is none (or the file is unreadable: no trial is safer
    than a guessed one, and the update job reports the file)."""
    try:
        return TrialState.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def save_trial(path: Path, state: TrialState) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(state.to_dict(), sort_keys=True))


@dataclass(frozen=True)
class ActiveTrial:
    """What the gateway needs to serve a trial."""

    serving: int
    candidate: int
    share: float
    interleaving: bool  # False while `starting`: the candidate may not be loaded yet
    model: str = "ranker"


class TrialWatcher:
    """The gateway's view of the trial file: re-read when its modification time changes, looked at no
    more than every `interval_s` seconds, so a search pays a dictionary lookup, not a file read."""

    def __init__(self, path: Path, interval_s: float = 0.5) -> None:
        self.path = Path(path)
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._checked = 0.0
        self._mtime: float | None = None
        self._active: ActiveTrial | None = None

    def __call__(self) -> ActiveTrial | None:
        now = time.monotonic()
        with self._lock:
            if now - self._checked < self.interval_s:
                return self._active
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                self._mtime, self._active = None, None
                return None
            if mtime != self._mtime:
                self._mtime = mtime
                state = load_trial(self.path)
                self._active = (
                    ActiveTrial(
                        state.serving,
                        state.candidate,
                        state.config.share,
                        state.status == "running",
                        state.model,
                    )
                    if state is not None and state.active
                    else None
                )
            return self._active
