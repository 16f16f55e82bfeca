"""bench.missed's classes of judged-relevant products missing from the first 100 hits."""

from pathlib import Path

import pytest

from bench.missed import main, where


def test_a_member_is_inside_and_classed_by_set_size() -> None:
    assert where(True, True, False, 450) == "inside, candidate, big set"
    assert where(True, False, True, 99) == "inside, not candidate, thin set"


def test_a_non_member_is_outside_and_classed_by_a_shared_word() -> None:
    assert where(False, True, True, 450) == "outside, candidate, shares a word"
    assert where(False, False, False, 0) == "outside, not candidate, no shared word"


def test_a_missing_input_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.tsv"
    with pytest.raises(SystemExit) as exit_info:
        main(["--products", str(missing), "--queries", str(missing), "--qrels", str(missing)])
    assert exit_info.value.code == 2
    assert f"no such file: {missing}" in capsys.readouterr().err
