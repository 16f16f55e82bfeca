"""Triton entry point of a ranker version; the code lives in engine.models.served."""

import os
import site
import sys

# Triton's python stub starts its interpreter without reading PYTHONPATH, so apply it here, ahead of the
# base interpreter's own paths: the launcher puts the project root and the virtualenv's site-packages there.
_base = list(sys.path)
for _entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    if _entry and _entry not in sys.path:
        site.addsitedir(_entry)
sys.path[:] = [p for p in sys.path if p not in _base] + _base

from engine.models.served import RankerServable as TritonPythonModel  # noqa: E402

__all__ = ["TritonPythonModel"]
