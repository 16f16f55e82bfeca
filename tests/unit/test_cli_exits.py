"""Every command line ends the same way: 0 done, 1 failed while running, 2 wrong usage or setting, one
line on stderr and never a traceback; output its reader cut short is not an error; unknown `AISLE_*`
variables are named in a warning. The commands run as real processes (the installed entry points)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import pytest

from engine.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE, run_command
from engine.environment import TOOL_VARIABLES, setting_variables, unknown_variables
from engine.errors import BackendUnavailable, ConfigError, InvalidInput, NotFound
from engine.ports import free_port
from tests.support.processes import BIN, ROOT, clean_env, run_cli


def one_error_line(result: subprocess.CompletedProcess[str], program: str) -> str:
    """The one error line (argparse's usage lines and progress lines may precede it; no traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(program), lines[0]
    return lines[0]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env({"AISLE_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("program", "args", "status", "says"),
    [
        ("engine", ["ranker", "bogus"], EXIT_USAGE, "invalid choice: 'bogus'"),
        ("engine", ["ranker", "update", "--loss", "listnet"], EXIT_USAGE, "invalid choice: 'listnet'"),
        ("engine", ["ranker", "rollback", "9"], EXIT_FAILED, "ranker version 9 does not exist"),
        ("gateway", ["serve", "--workers", "0"], EXIT_USAGE, "--workers must be >= 1"),
        ("gateway", ["serve", "--port", "eighty"], EXIT_USAGE, "invalid int value: 'eighty'"),
        ("indexer", ["stats"], EXIT_FAILED, "no index has been built"),
        ("indexer", ["delete"], EXIT_USAGE, "one of the arguments ID --file is required"),
        ("indexer", ["stats", "--bogus"], EXIT_USAGE, "unrecognized arguments: --bogus"),
    ],
)
def test_exit_status_and_one_line_error(
    env: dict[str, str], program: str, args: list[str], status: int, says: str
) -> None:
    result = run_cli(program, args, env, timeout=120)
    assert result.returncode == status, result.stderr
    assert says in one_error_line(result, program)


def test_a_busy_triton_port_is_a_runtime_failure_in_one_line(env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ports = {"AISLE_TRITON_HTTP_PORT": str(free_port()), "AISLE_TRITON_METRICS_PORT": str(free_port())}
        result = run_cli(
            "engine", ["triton", "start"], {**env, **ports, "AISLE_TRITON_GRPC_PORT": str(port)}, timeout=120
        )
    assert result.returncode == EXIT_FAILED
    assert f"AISLE_TRITON_GRPC_PORT: port {port} is already in use" in one_error_line(result, "engine")


def test_status_reads_as_text_by_default_and_json_on_request(env: dict[str, str]) -> None:
    text = run_cli("engine", ["ranker", "status"], env, timeout=120)
    assert text.returncode == EXIT_OK and text.stderr == ""
    assert text.stdout.splitlines()[0] == "serving version   none"
    machine = run_cli("engine", ["ranker", "status", "--json"], env, timeout=120)
    assert machine.returncode == EXIT_OK and '"unread_records": 0' in machine.stdout


def test_trial_status_reads_as_text_by_default_and_json_on_request(env: dict[str, str]) -> None:
    text = run_cli("engine", ["ranker", "trial", "status"], env, timeout=120)
    assert text.returncode == EXIT_OK and text.stdout.strip() == "no trial", text.stderr
    machine = run_cli("engine", ["ranker", "trial", "status", "--json"], env, timeout=120)
    assert machine.returncode == EXIT_OK and json.loads(machine.stdout) == {"trial": None}


def test_a_reader_that_stops_early_is_not_an_error(env: dict[str, str]) -> None:
    """Like `engine ranker status | head -c 0`: the pipe is closed before the command writes."""
    process = subprocess.Popen(
        [str(BIN / "engine"), "ranker", "status"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    stderr = process.stderr.read()
    assert process.returncode == EXIT_OK, stderr
    assert stderr == ""  # no BrokenPipeError, no "Exception ignored" from the final flush


def test_unknown_aisle_variables_are_named_with_the_closest_setting(env: dict[str, str]) -> None:
    result = run_cli(
        "engine",
        ["ranker", "status"],
        {**env, "AISLE_VECTOR_INDX": "hnsw", "AISLE_CACHE": "/tmp/cache", "AISLE_FROBNICATE": "1"},
        timeout=120,
    )
    assert result.returncode == EXIT_OK
    assert result.stderr.splitlines() == [
        "engine: warning: AISLE_FROBNICATE is not an Aisle setting and is ignored",
        "engine: warning: AISLE_VECTOR_INDX is not an Aisle setting and is ignored "
        "(did you mean AISLE_VECTOR_INDEX?)",
    ]


def test_every_aisle_variable_the_repository_mentions_is_known() -> None:
    """The list of variables that scripts and tests read stays complete (else users get false warnings)."""
    names = subprocess.run(
        [
            "git",
            "grep",
            "-hoE",
            r"AISLE_[A-Z0-9_]*[A-Z0-9]",
            "--",
            ".",
            ":!*.png",
            f":!{Path(__file__).relative_to(ROOT)}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    settings = setting_variables()
    mentioned = {
        n
        for n in names
        if n != "AISLE_NOT_A_SETTING"  # the settings test's own bad name
        and not any(s.startswith(n + "_") for s in settings)  # a family named in prose: AISLE_HNSW_*
    }
    assert mentioned, "git grep found no AISLE_ variables"
    missing = {n for n, _ in unknown_variables(dict.fromkeys(mentioned, ""))}
    assert not missing, f"add to engine.environment.TOOL_VARIABLES or to Settings: {sorted(missing)}"
    assert not TOOL_VARIABLES & settings


@pytest.mark.parametrize(
    ("raised", "status"),
    [
        (ConfigError("AISLE_X: bad"), EXIT_USAGE),
        (InvalidInput("bad flag"), EXIT_USAGE),
        (NotFound("no index"), EXIT_FAILED),
        (BackendUnavailable("triton", "down"), EXIT_FAILED),
        (PermissionError(13, "Permission denied", "/var/aisle"), EXIT_FAILED),
        (BrokenPipeError(), EXIT_OK),
    ],
)
def test_run_command_maps_errors(
    raised: BaseException, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    def command() -> int:
        raise raised

    assert run_command("prog", command) == status
    err = capsys.readouterr().err
    if status != EXIT_OK:
        assert err.startswith("prog: error: ") and err.count("\n") == 1
