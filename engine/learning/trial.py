"""Interleaved trials: a candidate version meets live traffic before it may serve everyone.

`TrialLifecycle` is the one implementation of a trial's lifecycle; what differs between trialled models
is four hooks (what serves, whether a candidate may be trialled, how both versions are loaded, how a
winner is rolled out). `TrialRunner` runs ranker versions; `engine.encoder.trial.EncoderTrialRunner`
runs query-encoder versions with the same counts, decision rule and crash recovery.

Lifecycle (one runner per data directory and model; state in `trialstate`):

1. `start(candidate)`: write the state (`starting`), make the model server load the serving version *and*
   the candidate (the serving one stays the default answer), then `running`. The gateway now serves a
   share of searches as a team-draft interleaving of both rankings and logs each product's team.
2. `step()` (every run of the update job, or `engine ranker trial`): recount wins, losses and ties from
   the log since the trial started, then decide:
   - promote when at least `min_searches` interleaved searches were logged and the candidate wins
     significantly (exact sign test, `alpha`);
   - stop when it is behind at p < `stop_alpha` (looser than `alpha`, at any count: stopping early
     only ever protects shoppers; `TrialConfig` says why the two differ), and when it is behind at all
     once `min_searches` are in (futility: a candidate worth promoting leads by then);
   - stop when `max_searches` or `max_hours` is reached without a significant win;
   - otherwise keep running.
3. Every decision, with its counts, is appended to `rollouts.jsonl` (`action: "trial"`).

A crash anywhere resumes: counts come from the log, not from memory; a state left `starting` loads the
versions again; a final state whose decision was not yet recorded finishes its rollout and records it.

The p-value is recomputed at every look, so a trial looked at many times has a somewhat higher chance of
a false decision than `alpha`; `min_searches` guards promotion against the noisy first looks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.errors import InvalidInput
from engine.events.base import EventLog, read_records
from engine.learning.clicks import clicked_lists
from engine.learning.interleave import InterleavingResult, tally
from engine.learning.rollout import roll_out
from engine.learning.versions import RankerStore, RolloutLog
from engine.pipeline.trialstate import TrialConfig, TrialState, load_trial, save_trial, trial_path


class TrialLoader(Protocol):
    """Loads ranker versions; with `candidate`, both stay loaded and `version` is the default answer."""

    def load_ranker_version(self, version: int, candidate: int | None = None) -> None: ...


@dataclass(frozen=True)
class TrialCounts:
    wins: int
    losses: int
    ties: int
    p_value: float

    @property
    def searches(self) -> int:
        return self.wins + self.losses + self.ties

    @classmethod
    def of(cls, result: InterleavingResult) -> TrialCounts:
        return cls(result.wins, result.losses, result.ties, result.p_value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wins": self.wins,
            "losses": self.losses,
            "ties": self.ties,
            "searches": self.searches,
            "p_value": self.p_value,
        }


def decide(counts: TrialCounts, config: TrialConfig, elapsed_s: float) -> tuple[str, str]:
    """("promote" | "stop" | "continue", why) from the counts so far."""
    if counts.losses > counts.wins and counts.p_value < config.stop_alpha:
        return "stop", f"candidate loses (p={counts.p_value:.4g} < {config.stop_alpha})"
    if counts.losses > counts.wins and counts.searches >= config.min_searches:
        behind = f"{counts.wins} wins, {counts.losses} losses"
        return "stop", f"candidate behind after {counts.searches} searches ({behind})"
    significant = counts.p_value < config.alpha
    if significant and counts.wins > counts.losses and counts.searches >= config.min_searches:
        return "promote", f"candidate wins significantly (p={counts.p_value:.4g} < {config.alpha})"
    if counts.searches >= config.max_searches:
        return "stop", f"no significant win after {counts.searches} searches (limit {config.max_searches})"
    if elapsed_s >= config.max_hours * 3600.0:
        return "stop", f"no significant win after {elapsed_s / 3600.0:.1f} h (limit {config.max_hours} h)"
    return "continue", "not decided yet"


class TrialLifecycle:
    """Start, count, decide, stop and finish one model's trial; subclasses say how its versions serve."""

    model = "ranker"

    def __init__(
        self,
        data_dir: Path,
        rollouts: RolloutLog,
        log: EventLog,
        *,
        max_records: int = 2_000_000,
        clock: Any = time.time,
    ) -> None:
        self.rollouts, self.log = rollouts, log
        self.path: Path = trial_path(data_dir, self.model)
        self.max_records = max_records
        self.clock = clock

    # --- what differs between models ---------------------------------------------------------------
    def _serving(self) -> int | None:
        raise NotImplementedError

    def _check_candidate(self, candidate: int) -> None:
        """Raise (`NotFound`, `InvalidInput`) when `candidate` cannot be trialled."""
        raise NotImplementedError

    def _load(self, serving: int, candidate: int | None = None) -> None:
        """Serve `serving` by default; with `candidate`, keep that version loaded beside it."""
        raise NotImplementedError

    def _promote(self, state: TrialState, counts: TrialCounts) -> None:
        """Roll the winning candidate out (recorded with `validated_by: "trial"`)."""
        raise NotImplementedError

    # --- the lifecycle -----------------------------------------------------------------------------
    def state(self) -> TrialState | None:
        return load_trial(self.path)

    def active(self) -> TrialState | None:
        state = self.state()
        return state if state is not None and state.active else None

    def start(self, candidate: int, config: TrialConfig | None = None) -> dict[str, Any]:
        """Serve `candidate` in an interleaved trial against the serving version."""
        if self.active() is not None:
            raise InvalidInput(f"a trial is already running: stop it first (engine {self.model} trial stop)")
        serving = self._serving()
        if serving is None:
            raise InvalidInput(f"no {self.model} version serves yet: nothing to compare the candidate with")
        if candidate == serving:
            raise InvalidInput(f"version {candidate} already serves: a trial needs another version")
        self._check_candidate(candidate)
        state = TrialState(
            candidate=candidate,
            serving=serving,
            start_offset=self.log.last_offset(),
            config=config or TrialConfig(),
            started_at=self.clock(),
            model=self.model,
        )
        save_trial(self.path, state)
        return self._begin(state)

    def _begin(self, state: TrialState) -> dict[str, Any]:
        self._load(state.serving, state.candidate)
        state.status = "running"
        save_trial(self.path, state)
        return self.rollouts.append(
            {
                "action": "trial",
                "outcome": "started",
                "version": state.candidate,
                "serving": state.serving,
                "config": state.to_dict()["config"],
                "start_offset": state.start_offset,
            }
        )

    # --- decide ----------------------------------------------------------------------------------------
    def counts(self, state: TrialState) -> TrialCounts:
        records = read_records(self.log, state.start_offset, self.max_records)
        return TrialCounts.of(tally(clicked_lists(records, self.log), state.candidate, self.model))

    def step(self) -> dict[str, Any] | None:
        """Advance the trial, if there is one; returns what happened (None: no trial)."""
        state = self.state()
        if state is None:
            return None
        if state.status == "starting":
            self._begin(state)
            state.status = "running"
        if not state.active:  # decided before a crash: finish what is not done yet
            return self._finish(state) if not state.recorded else None
        counts = self.counts(state)
        action, reason = decide(counts, state.config, self.clock() - state.started_at)
        if action == "continue":
            return {
                "action": "trial",
                "outcome": "running",
                "version": state.candidate,
                "trial": counts.to_dict(),
            }
        state.status = "promoted" if action == "promote" else "stopped"
        state.reason, state.decided_at = reason, self.clock()
        if state.status == "stopped":
            # Unload the candidate before the gateway stops interleaving: until the file says
            # `stopped`, its candidate calls fail and fall back to the serving ranking.
            self._load(state.serving)
        save_trial(self.path, state)
        return self._finish(state, counts, unloaded=True)

    def stop(self, reason: str = "stopped by an operator") -> dict[str, Any]:
        state = self.active()
        if state is None:
            raise InvalidInput("no trial is running")
        self._load(state.serving)
        state.status, state.reason, state.decided_at = "stopped", reason, self.clock()
        save_trial(self.path, state)
        return self._finish(state, unloaded=True)

    def _finish(
        self, state: TrialState, counts: TrialCounts | None = None, *, unloaded: bool = False
    ) -> dict[str, Any]:
        """Roll out a promoted candidate (idempotent) and record the decision once."""
        counts = counts or self.counts(state)
        outcome = "promoted" if state.status == "promoted" else "stopped"
        record = {
            "action": "trial",
            "outcome": outcome,
            "version": state.candidate,
            "serving": state.serving,
            "reason": state.reason,
            "trial": counts.to_dict(),
            "config": state.to_dict()["config"],
            "duration_s": (state.decided_at or self.clock()) - state.started_at,
        }
        rolled_out = any(
            r.get("action") == "rollout"
            and r.get("version") == state.candidate
            and r.get("validated_by") == "trial"
            for r in self.rollouts.records()
        )
        if outcome == "promoted" and not rolled_out:
            self._promote(state, counts)
        elif outcome == "stopped" and not unloaded:
            self._load(state.serving)
        recorded = self.rollouts.append(record)
        state.recorded = True
        save_trial(self.path, state)
        return recorded


class TrialRunner(TrialLifecycle):
    """Trials of ranker versions: both versions pinned in Triton's `ranker` model during the trial."""

    def __init__(
        self,
        store: RankerStore,
        log: EventLog,
        loader: TrialLoader,
        *,
        max_records: int = 2_000_000,
        keep_versions: int = 5,
        clock: Any = time.time,
    ) -> None:
        super().__init__(store.data_dir, store.rollouts, log, max_records=max_records, clock=clock)
        self.store, self.loader = store, loader
        self.keep_versions = keep_versions

    def _serving(self) -> int | None:
        return self.store.serving()

    def _check_candidate(self, candidate: int) -> None:
        self.store.load(candidate)  # NotFound names the kept versions

    def _load(self, serving: int, candidate: int | None = None) -> None:
        self.loader.load_ranker_version(serving, candidate=candidate)

    def _promote(self, state: TrialState, counts: TrialCounts) -> None:
        roll_out(
            self.store,
            self.loader,
            state.candidate,
            keep=self.keep_versions,
            previous=state.serving,
            details={"validated_by": "trial", "trial": counts.to_dict()},
        )
