"""Provenance of results: package versions, git state of the checkout, checksums.

Used by the runner and the sweep (written into every ``manifest.json``) and
by the report layer (the scorecard's versions). It reads the environment and
the file system only; nothing here depends on a result.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from backtest.data.providers.snapshot import file_sha256

__all__ = ["PACKAGES", "bytes_sha256", "file_sha256", "git_revision", "package_versions"]

#: packages whose versions shape results (recorded in every run manifest)
PACKAGES: tuple[str, ...] = (
    "qtbt", "pandas", "numpy", "vectorbt", "numba", "pyarrow", "exchange_calendars",
    "yfinance", "fredapi", "scipy", "arch", "plotly", "matplotlib", "dask",
)


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Versions of Python and of ``names`` (``"not installed"`` when absent).

    Parameters
    ----------
    names : tuple of str
        Distribution names, in the order they should appear.

    Returns
    -------
    dict
        ``{"python": "3.11.x", name: version, ...}``.
    """
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision(path: Path | None = None) -> dict[str, Any]:
    """Git commit of the qtbt checkout and whether tracked files had uncommitted changes.

    Parameters
    ----------
    path : Path, optional
        A folder inside the checkout (default: the one holding this package).

    Returns
    -------
    dict
        ``{"commit": sha or None, "dirty": bool or None}``; both None when
        the code is not a git checkout or git is not installed.
    """
    where = path or Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=where, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip() != ""
        return {"commit": rev, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def bytes_sha256(payload: bytes) -> str:
    """SHA-256 of ``payload``, as 64 hex digits."""
    return hashlib.sha256(payload).hexdigest()
