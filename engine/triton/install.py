"""The pip-installed Triton (PyPI `nvidia-pytriton`) and what its python backend needs to run.

Two traps, both seen on these machines:
- the backend stub must find THIS interpreter's libpython first on `LD_LIBRARY_PATH`; otherwise it picks
  up the system libpython and every model import dies with `undefined symbol: _PyModule_Add`;
- the stub runs `model.py` with a bare interpreter, so `PYTHONPATH` must carry the project root (for
  `engine`) and the virtualenv's site-packages (for torch and friends).
"""

from __future__ import annotations

import os
import shutil
import site
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from engine.config import PROJECT_ROOT
from engine.errors import MissingDependency

BACKEND_FILES = ("libtriton_python.so", "triton_python_backend_utils.py")
STUB_NAME = "triton_python_backend_stub"


@dataclass(frozen=True)
class TritonInstall:
    """Paths inside the nvidia-pytriton wheel."""

    binary: Path
    python_backend: Path
    stub: Path
    libs: Path


def find_triton_install() -> TritonInstall:
    """Locate the tritonserver binary, python backend and the stub for this Python version."""
    try:
        import pytriton
    except ImportError as exc:
        raise MissingDependency(
            "nvidia-pytriton", "the local Triton server (AISLE_TRITON_URL=local)"
        ) from exc
    root = Path(pytriton.__file__).resolve().parent / "tritonserver"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    install = TritonInstall(
        binary=root / "bin" / "tritonserver",
        python_backend=root / "backends" / "python",
        stub=root / "python_backend_stubs" / version / STUB_NAME,
        libs=root.parent.parent / "nvidia_pytriton.libs",
    )
    for path in (install.binary, install.python_backend, install.stub):
        if not path.exists():
            raise MissingDependency("nvidia-pytriton", f"the local Triton server (missing {path})")
    return install


def build_backend_dir(install: TritonInstall, dest: Path) -> Path:
    """Create `dest/python/` with the backend library, its utils module and the matching stub.

    Returns `dest` (what `--backend-directory` takes). Files are copied (not linked) so the directory
    stays valid if the virtualenv is rebuilt while a server is running.
    """
    target = dest / "python"
    target.mkdir(parents=True, exist_ok=True)
    sources = [install.python_backend / name for name in BACKEND_FILES] + [install.stub]
    for source in sources:
        copy = target / source.name
        if not copy.exists() or copy.stat().st_size != source.stat().st_size:
            shutil.copy2(source, copy)
    return dest


def _site_packages() -> list[str]:
    paths = [p for p in site.getsitepackages() if Path(p).is_dir()]
    purelib = sysconfig.get_paths()["purelib"]
    if purelib not in paths:
        paths.append(purelib)
    return paths


def _join(*groups: list[str] | str | None) -> str:
    seen: list[str] = []
    for group in groups:
        items = [group] if isinstance(group, str) else list(group or [])
        for item in items:
            for part in item.split(os.pathsep):
                if part and part not in seen:
                    seen.append(part)
    return os.pathsep.join(seen)


def server_env(install: TritonInstall, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for tritonserver: LD_LIBRARY_PATH = interpreter LIBDIR, then the wheel's libs, then
    whatever was set before; PYTHONPATH = project root, site-packages, then the previous value."""
    env = dict(os.environ if base is None else base)
    libdir = sysconfig.get_config_var("LIBDIR") or str(Path(sys.base_prefix) / "lib")
    env["LD_LIBRARY_PATH"] = _join(libdir, str(install.libs), env.get("LD_LIBRARY_PATH"))
    env["PYTHONPATH"] = _join(str(PROJECT_ROOT), _site_packages(), env.get("PYTHONPATH"))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    # numpy's OpenBLAS pool busy-waits between calls: from about 300 rows (a few searches' ranker
    # requests batched) its second thread spun through the gaps, 8.9 ms of CPU per request 8 ms apart
    # against 0.17 on one thread (bench.triton_calls, bench/results/triton-calls-300rows-*.json). The
    # encoder sizes its own ONNX Runtime pool (AISLE_TEXT_THREADS) and CLIP its torch threads, so
    # neither reads this.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env
