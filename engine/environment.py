"""`AISLE_*` environment variables that nothing reads: usually a typo that silently keeps a default.

A misspelled variable (`AISLE_VECTOR_INDEX` typed without its E) is not an error to pydantic-settings
(the environment is not ours alone), so the intended index is quietly not used. The command lines warn
about such names at start, with the closest real name when one is near. A variable is known when it is a
setting (`engine.config.Settings`) or one of the variables the scripts, the compose file and the tests
read (`TOOL_VARIABLES`; a unit test checks that list against the repository).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from engine.config import ENV_PREFIX, Settings

TOOL_VARIABLES = frozenset(
    {
        "AISLE_CACHE",  # download cache of the scripts and test fixtures
        "AISLE_CONFIG",  # the TOML settings file
        "AISLE_PYTHON",  # bootstrap.sh's interpreter
        "AISLE_UID",  # image build user
        "AISLE_IMAGE_PREFIX",
        "AISLE_IMAGE_TAG",
        "AISLE_IMPORT_DIR",
        "AISLE_PUBLISH_ADDRESS",
        "AISLE_PUBLISH_PORT",
        "AISLE_KAFKA_CONTROLLER_PORT",  # scripts/kafka.sh
        "AISLE_KAFKA_DATA",
        "AISLE_KAFKA_PORT",
        "AISLE_KAFKA_TIMEOUT",
        "AISLE_KAFKA_VERSION",
        "AISLE_OPENSEARCH_DATA",  # scripts/opensearch.sh
        "AISLE_OPENSEARCH_PLUGINS",
        "AISLE_OPENSEARCH_PORT",
        "AISLE_OPENSEARCH_TIMEOUT",
        "AISLE_OPENSEARCH_VERSION",
        "AISLE_TEST_CRASH_AT",  # engine.crashpoints: kill an ingest process at a named step
        "AISLE_TEST_KAFKA_BOOTSTRAP",  # test fixtures
        "AISLE_TEST_KNN_OPENSEARCH_VERSION",
        "AISLE_TEST_KNN_URL",
        "AISLE_TEST_OPENSEARCH_URL",
        "AISLE_UPDATE_SCREENSHOTS",
    }
)


def setting_variables() -> frozenset[str]:
    return frozenset(ENV_PREFIX + name.upper() for name in Settings.model_fields)


def unknown_variables(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """(name, closest known name or None) for every `AISLE_*` variable nothing reads, sorted."""
    settings = setting_variables()
    known = settings | TOOL_VARIABLES
    unknown = sorted(
        name for name in environ if name.upper().startswith(ENV_PREFIX) and name.upper() not in known
    )
    result = []
    for name in unknown:
        close = difflib.get_close_matches(name.upper(), sorted(settings), n=1, cutoff=0.8)
        result.append((name, close[0] if close else None))
    return result


def unknown_variable_warnings(environ: Mapping[str, str]) -> list[str]:
    """One line per unknown variable, for a command line to print at start."""
    lines = []
    for name, close in unknown_variables(environ):
        hint = f" (did you mean {close}?)" if close else ""
        lines.append(f"warning: {name} is not an Aisle setting and is ignored{hint}")
    return lines
