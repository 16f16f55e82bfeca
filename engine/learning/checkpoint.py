"""The update job's checkpoint: the last log offset whose outcome has been recorded.

Written atomically (temp file, fsync, rename, fsync of the directory) so a crash leaves either the old
or the new checkpoint, never a torn one. The job commits it only after the run's outcome (rollout or
rejection) is in `rollouts.jsonl`; on start it also takes the newest offset named by that record and by
the newest version's manifest, so a crash between those writes cannot make it train on events twice.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.config import Settings
from engine.errors import InvalidInput
from engine.storage import write_atomic


@dataclass(frozen=True)
class Checkpoint:
    offset: int = 0
    runs: int = 0
    updated_at: float = 0.0


def load_checkpoint(path: Path) -> Checkpoint:
    if not path.is_file():
        return Checkpoint()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Checkpoint(
            offset=int(data["offset"]), runs=int(data.get("runs", 0)), updated_at=float(data["updated_at"])
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"checkpoint {path} is unreadable ({exc}); fix or delete it") from None


def checkpoint_path(settings: Settings) -> Path:
    """Where the ranking-update job keeps its checkpoint (one job per data directory)."""
    return Path(settings.data_dir) / "learning" / "checkpoint.json"


def save_checkpoint(path: Path, offset: int, runs: int) -> Checkpoint:
    checkpoint = Checkpoint(offset=offset, runs=runs, updated_at=time.time())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(asdict(checkpoint)))
    return checkpoint
