"""Interleaved trials of query-encoder versions: a sampled share of shopper searches is embedded by both
towers and served as a team draft of the two lists; clicks credit the tower whose list showed the
product; the sign test stops a harmful tower and promotes a good one (which then serves, and rolls back
as before); a both-towers version is refused; and the query-embedding cache never mixes versions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.config import Settings
from engine.encoder.rollout import rollback
from engine.encoder.trial import EncoderTrialRunner
from engine.encoder.versions import QueryEncoderStore
from engine.errors import BackendUnavailable, InvalidInput
from engine.events.base import Event, Impression, read_records
from engine.events.embedded import EmbeddedEventLog
from engine.inference.base import EncoderInfo
from engine.learning.clicks import clicked_lists
from engine.learning.interleave import tally
from engine.models.tower import TowerManifest
from engine.pipeline import encoder_trial
from engine.pipeline.embed import QueryEmbedder
from engine.pipeline.interleave import sampled
from engine.pipeline.trialstate import (
    ActiveTrial,
    TrialConfig,
    TrialState,
    TrialWatcher,
    load_trial,
    save_trial,
    trial_path,
)
from engine.pipeline.types import SearchOutcome, SearchQuery
from engine.ranking.features import FEATURE_NAMES
from engine.triton.repository import (
    CONFIG_FILE,
    pinned_versions,
    read_config,
    set_version_policy,
    write_config,
)
from tests.fakes import hashed_vectors
from tests.unit.gateway_fakes import make_services
from tests.unit.test_encoder_versions import SPACE, FakeLoader, SavedTower, shop

__all__ = ["shop"]

CONFIG = TrialConfig(share=1.0, alpha=0.05, min_searches=50, max_searches=400, max_hours=24)


class TrialLoader(FakeLoader):
    """Triton's explicit model control for an encoder trial: both versions pinned, as the backend does."""

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None:
        config = read_config(self.path)
        set_version_policy(config, [version] + ([candidate] if candidate is not None else []))
        write_config(self.path, config)
        self.loaded.append(version)


def add(store: QueryEncoderStore, towers: str = "query") -> int:
    return store.add(
        SavedTower(), TowerManifest(version=0, base=SPACE, parent=store.serving(), towers=towers)
    )


def pinned(settings: Settings) -> list[int] | None:
    return pinned_versions(read_config(QueryEncoderStore(settings).model_dir / CONFIG_FILE))


def log_interleaved(
    log: EmbeddedEventLog, candidate: int, searches: int, p_candidate: float, model: str = "encoder"
) -> None:
    """`searches` interleaved lists of 6 from a trial of `model`; one click each, on the candidate's
    team with probability `p_candidate`."""
    rng = np.random.default_rng(7)
    for _ in range(searches):
        teams = "ABABAB" if rng.random() < 0.5 else "BABABA"
        ids = tuple(f"p{uuid.uuid4().hex[:6]}" for _ in teams)
        info: dict[str, Any] = {"serving": 1, "candidate": candidate, "teams": teams}
        if model != "ranker":
            info["model"] = model
        impression = Impression(
            search_id=uuid.uuid4().hex,
            timestamp=0.0,
            query="lamp",
            product_ids=ids,
            positions=tuple(range(1, 7)),
            ranker_version=1,
            features=tuple(tuple(0.0 for _ in FEATURE_NAMES) for _ in ids),
            feature_names=FEATURE_NAMES,
            extra={"interleaving": info},
        )
        log.append_impression(impression)
        index = teams.index("B" if rng.random() < p_candidate else "A")
        click = Event(
            uuid.uuid4().hex, "click", ids[index], 0.0, search_id=impression.search_id, position=index + 1
        )
        log.append_events([click])


# --- the runner: promote, stop, refuse ---------------------------------------------------------------


def test_a_good_tower_is_promoted_then_serves_and_rolls_back_as_before(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    store, loader = QueryEncoderStore(shop), TrialLoader(shop)
    candidate = add(store)
    runner = EncoderTrialRunner(store, event_log, loader)
    started = runner.start(candidate, CONFIG)
    assert started["outcome"] == "started" and started["serving"] == 1
    # Both versions loaded, the serving one still serves (the candidate answers only trial searches).
    assert pinned(shop) == [1, candidate] and store.serving() == 1
    log_interleaved(event_log, candidate, 120, 0.75)
    log_interleaved(event_log, candidate, 120, 0.0, model="ranker")  # a ranker trial's lists: not counted

    outcome = runner.step()
    assert outcome is not None and outcome["outcome"] == "promoted"
    assert outcome["trial"]["searches"] == 120 and outcome["trial"]["wins"] > outcome["trial"]["losses"]
    assert store.serving() == candidate and pinned(shop) == [candidate]
    rollout = [r for r in store.rollouts.records() if r["action"] == "rollout"]
    assert rollout[-1]["validated_by"] == "trial" and rollout[-1]["previous"] == 1
    assert runner.step() is None  # decided and recorded
    back = rollback(store, loader)
    assert back["version"] == 1 and store.serving() == 1


def test_a_harmful_tower_is_stopped_and_never_serves(shop: Settings, event_log: EmbeddedEventLog) -> None:
    store, loader = QueryEncoderStore(shop), TrialLoader(shop)
    candidate = add(store)
    runner = EncoderTrialRunner(store, event_log, loader)
    runner.start(candidate, CONFIG)
    log_interleaved(event_log, candidate, 40, 0.2)  # shoppers prefer the serving tower's products
    outcome = runner.step()
    assert outcome is not None and outcome["outcome"] == "stopped" and "loses" in outcome["reason"]
    assert outcome["trial"]["losses"] > outcome["trial"]["wins"]
    assert store.serving() == 1 and pinned(shop) == [1]  # the candidate is unloaded
    assert not any(r["action"] == "rollout" for r in store.rollouts.records())
    state = load_trial(trial_path(shop.data_dir, "encoder"))
    assert state is not None and state.model == "encoder" and state.status == "stopped" and state.recorded
    assert load_trial(trial_path(shop.data_dir)) is None  # the ranker's trial file is untouched


def test_a_both_towers_version_cannot_be_trialled(shop: Settings, event_log: EmbeddedEventLog) -> None:
    store, loader = QueryEncoderStore(shop), TrialLoader(shop)
    both = add(store, towers="both")
    with pytest.raises(InvalidInput, match=r"both towers.*--text-tower"):
        EncoderTrialRunner(store, event_log, loader).start(both, CONFIG)
    assert loader.loaded == [] and load_trial(trial_path(shop.data_dir, "encoder")) is None
    with pytest.raises(InvalidInput, match="already serves"):
        EncoderTrialRunner(store, event_log, loader).start(1, CONFIG)


# --- the gateway: two towers per sampled search ------------------------------------------------------


class TwoTowers:
    """`TritonTextEncoder` with two loaded versions: 1 (serving) embeds the query's words, 2 (the
    candidate) the words reversed (a tower that has forgotten the language)."""

    def __init__(self) -> None:
        self.asked: list[int | None] = []

    def encode_versioned(self, texts: Sequence[str], version: int | None = None) -> tuple[np.ndarray, int]:
        self.asked.append(version)
        answered = 2 if version is None else version  # unnamed: the highest loaded
        return hashed_vectors([t[::-1] if answered == 2 else t for t in texts], 64), answered


class Paired:
    """The paired encoder of the live vectors: the highest loaded version of their space."""

    def info(self) -> EncoderInfo:
        return EncoderInfo(SPACE.name, SPACE.version, 64)

    def tower_version(self) -> int:
        return 2


def trialled(services: Services, tmp_path: Path, share: float = 1.0) -> TwoTowers:
    """Give `services` a two-version query encoder and a running encoder trial of version 2."""
    save_trial(
        trial_path(tmp_path, "encoder"),
        TrialState(2, 1, 0, TrialConfig(share=share), status="running", model="encoder"),
    )
    watcher = TrialWatcher(trial_path(tmp_path, "encoder"), interval_s=0.0)
    towers = TwoTowers()
    services.pipeline.embedder = QueryEmbedder(
        encoder_trial.TrialTextEncoder(Paired(), towers, watcher), None
    )
    services.pipeline.encoder_trial = encoder_trial.EncoderTrial(watcher)
    return towers


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[TestClient, Services, TwoTowers]]:
    services = make_services(tmp_path)
    towers = trialled(services, tmp_path)
    with TestClient(create_app(services)) as client:
        yield client, services, towers
    services.close()


def test_a_sampled_search_embeds_with_both_towers_and_serves_an_interleaved_page(gateway) -> None:
    client, services, towers = gateway
    body = client.post("/v1/search", json={"query": "running shoes", "user_id": "u1", "size": 5}).json()
    assert sorted(set(towers.asked)) == [1, 2]  # two embeddings, each naming its version
    assert services.impressions.flush()
    impression = services.events.impression(body["search_id"])
    info = impression.extra["interleaving"]
    assert info["model"] == "encoder" and info["serving"] == 1 and info["candidate"] == 2
    assert len(info["teams"]) == len(impression.product_ids) == len(body["hits"])
    assert {"A", "B"} <= set(info["teams"])  # the towers retrieve differently: both teams show products
    assert impression.propensity_swaps == ()

    # A click on the candidate tower's product is a win for it; the ranker's trial counts none of it.
    index = info["teams"].index("B")
    event = {"type": "click", "product_id": impression.product_ids[index], "search_id": body["search_id"]}
    assert client.post("/v1/events", json=event).status_code == 202
    runner = EncoderTrialRunner(
        QueryEncoderStore(services.settings), services.events, TrialLoader(services.settings)
    )
    counts = runner.counts(runner.state())
    assert (counts.wins, counts.losses, counts.searches) == (1, 0, 1)
    lists = clicked_lists(read_records(services.events, 0, 1000), services.events)
    ranker = tally(lists, 2)  # a ranker trial of a version 2 would see no interleaved search here
    assert (ranker.wins, ranker.losses, ranker.ties) == (0, 0, 0)


def test_unsampled_and_anonymous_searches_get_the_serving_tower_only(gateway) -> None:
    client, services, towers = gateway
    body = client.post("/v1/search", json={"query": "running shoes", "size": 5}).json()
    assert towers.asked == [1]  # the candidate is the highest loaded version, yet it never answers
    assert services.impressions.flush()
    assert "interleaving" not in services.events.impression(body["search_id"]).extra


def test_the_sampled_share_is_the_ranker_trials_sampling(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    try:
        towers = trialled(services, tmp_path, share=0.5)
        active = ActiveTrial(1, 2, 0.5, True, "encoder")
        shoppers = [f"u{i}" for i in range(40)]
        both = []
        for shopper in shoppers:
            towers.asked.clear()
            services.pipeline.embedder.cache.clear()  # so that every search asks its towers
            outcome = services.pipeline.search(SearchQuery("running shoes", user_id=shopper, size=5))
            both.append(sorted(set(towers.asked)) == [1, 2])
            assert (outcome.interleaving is not None) == both[-1] == sampled(active, shopper, "running shoes")
        assert 10 <= sum(both) <= 30
        # Salted by model: not the same searches a ranker trial of version 2 would take.
        ranker = ActiveTrial(1, 2, 0.5, True)
        assert [sampled(ranker, s, "running shoes") for s in shoppers] != both
    finally:
        services.close()


def test_a_failing_candidate_serves_the_plain_list_uncounted() -> None:
    trial = ActiveTrial(1, 2, 1.0, True, "encoder")
    hook = encoder_trial.EncoderTrial(lambda: trial)
    served: list[SearchQuery] = []

    def run(query: SearchQuery) -> SearchOutcome:
        served.append(query)
        hits: list[Any] = []
        outcome = SearchOutcome(hits, {}, 0, {}, [], 1, "full", {"total": 1.0})
        if encoder_trial._tower.get() == 2:
            outcome.degraded.append("dense")  # the candidate did not answer: lexical only
        return outcome

    outcome = hook.search(run, SearchQuery("lamp", user_id="u1", page=2, size=4))
    assert outcome is not None and outcome.interleaving is None and outcome.hits == []
    assert [(q.page, q.size) for q in served] == [(1, 8), (1, 8)]  # the head through the page asked for


# --- the cache ---------------------------------------------------------------------------------------


def test_the_embedding_cache_never_mixes_tower_versions() -> None:
    state = {"trial": ActiveTrial(1, 2, 1.0, True, "encoder")}
    towers = TwoTowers()
    embedder = QueryEmbedder(encoder_trial.TrialTextEncoder(Paired(), towers, lambda: state["trial"]), None)
    plain = embedder.embed_text("blue lamp")
    with encoder_trial.embedding_with(2):
        candidate = embedder.embed_text("blue lamp")
    with encoder_trial.embedding_with(1):
        serving = embedder.embed_text("blue lamp")
    assert np.array_equal(plain, serving) and not np.array_equal(plain, candidate)
    assert towers.asked == [1, 2]  # the serving vector came from the cache the second time
    assert sorted(embedder.cache.snapshot_keys()) == [("text", 1, "blue lamp"), ("text", 2, "blue lamp")]
    state["trial"] = None  # promoted: version 2 serves every search, from its own cache entry
    assert np.array_equal(embedder.embed_text("blue lamp"), candidate) and towers.asked == [1, 2]


def test_a_trial_run_neither_explores_nor_joins_the_ranker_trial() -> None:
    ranker_trial = ActiveTrial(1, 3, 1.0, True)
    view = encoder_trial.outside_runs(lambda: ranker_trial)
    assert view() == ranker_trial
    with encoder_trial.embedding_with(2):
        inside = view()
        assert encoder_trial.in_trial_run()
    assert inside is not None and inside.serving == 1 and not inside.interleaving  # still pinned to 1
    assert not encoder_trial.in_trial_run()


# --- the command line --------------------------------------------------------------------------------


class ClosingLoader(TrialLoader):
    def close(self) -> None:
        pass


def test_the_command_line_starts_shows_stops_and_refuses(
    shop: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.cli import main
    from engine.inference import factory

    monkeypatch.setenv("AISLE_DATA_DIR", str(shop.data_dir))
    monkeypatch.setattr(factory, "LazyLoader", lambda settings: ClosingLoader(settings))
    store = QueryEncoderStore(shop)
    assert main(["encoder", "trial", "status"]) == 0 and capsys.readouterr().out.strip() == "no trial"
    both = add(store, towers="both")
    assert main(["encoder", "trial", "start", str(both)]) == 2  # bad input: a usage error
    assert "embeds products too (both towers)" in capsys.readouterr().err
    candidate = add(store)
    assert main(["encoder", "trial", "start", str(candidate), "--share", "0.2"]) == 0
    assert f"trial of version {candidate} started" in capsys.readouterr().out
    assert pinned(shop) == [1, candidate] and store.serving() == 1
    assert main(["encoder", "trial", "status"]) == 0
    out = capsys.readouterr().out
    assert f"version {candidate} against serving version 1: running" in out and "share 0.2" in out
    assert main(["encoder", "trial", "stop"]) == 0 and "stopped" in capsys.readouterr().out
    assert pinned(shop) == [1] and store.serving() == 1


def test_a_search_right_after_a_stop_is_answered_by_the_serving_tower() -> None:
    """The candidate is unloaded before the trial file says `stopped`; a request that still names it
    (the loaded versions are re-read only every second) is retried with the versions loaded now."""

    class Unloaded(TwoTowers):
        def __init__(self) -> None:
            super().__init__()
            self.loaded, self.known = {1}, {1, 2}  # Triton has unloaded 2; the gateway's view is stale

        def encode_versioned(
            self, texts: Sequence[str], version: int | None = None
        ) -> tuple[np.ndarray, int]:
            if version not in self.loaded:
                raise BackendUnavailable("triton", f"query_encoder version {version} is not loaded")
            return super().encode_versioned(texts, version)

        def forget_versions(self) -> None:
            self.known = set(self.loaded)

    towers = Unloaded()

    class Stale(Paired):
        def tower_version(self) -> int:
            return max(towers.known)

    encoder = encoder_trial.TrialTextEncoder(Stale(), towers, lambda: None)  # the file says stopped
    vector, version = encoder.encode_versioned(["blue lamp"])
    assert version == 1 and towers.asked == [1] and vector.shape == (1, 64)
