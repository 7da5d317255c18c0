"""Shared fixtures: the real snapshot, and tiny synthetic snapshots built per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pandas as pd
import pytest

from backtest.data.store import DataStore

REPO = Path(__file__).resolve().parents[1]


def _snapshot_dir() -> Path:
    env = os.environ.get("QTBT_DATA_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    return path.resolve()


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    path = _snapshot_dir()
    if not (path / "fred" / "WALCL.csv").is_file():
        pytest.fail(
            f"Real data snapshot not found at {path}; set QTBT_DATA_DIR to shared/data "
            "(the README's test command does)."
        )
    return path


@pytest.fixture(scope="session")
def snapshot_store(snapshot_dir: Path) -> DataStore:
    """A store over the real snapshot, shared across tests (it only reads)."""
    return DataStore(data_dir=snapshot_dir, cache_dir=snapshot_dir / "__never_written__")


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's cache or FRED key."""
    monkeypatch.setenv("QTBT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.delenv("QTBT_CATALOG", raising=False)


@pytest.fixture(autouse=True)
def _no_user_catalog() -> Iterator[None]:
    """Each test starts and ends with the built-in series only (a user catalog is global)."""
    from backtest.data.usercat import use_catalog

    use_catalog(None)
    yield
    use_catalog(None)


MakeSnapshot = Callable[[Mapping[str, pd.Series | pd.DataFrame]], Path]


@pytest.fixture
def make_snapshot(tmp_path: Path) -> MakeSnapshot:
    """Write synthetic series as a snapshot directory; returns its path.

    FRED ids take a Series (written as ``observation_date,<ID>``); Yahoo
    tickers take a Series of adjusted closes (all OHLC set to it) or a full
    OHLCV frame.
    """
    from backtest.data.catalog import get_spec

    root = tmp_path / "snap"

    def make(series: Mapping[str, pd.Series | pd.DataFrame]) -> Path:
        for sid, values in series.items():
            spec = get_spec(sid)
            if spec.source == "fred":
                folder = root / "fred"
                folder.mkdir(parents=True, exist_ok=True)
                s = pd.Series(values, dtype="float64")
                lines = [f"observation_date,{sid}"]
                lines += [f"{d:%Y-%m-%d},{'' if pd.isna(v) else repr(float(v))}"
                          for d, v in s.items()]
                (folder / f"{sid}.csv").write_text("\n".join(lines) + "\n")
            elif spec.source == "yahoo":
                folder = root / "yahoo"
                folder.mkdir(parents=True, exist_ok=True)
                if isinstance(values, pd.DataFrame):
                    frame = values
                else:
                    frame = pd.DataFrame({f: values for f in spec.fields[:-1]})
                    frame["Volume"] = 1000.0
                frame = frame[list(spec.fields)]
                frame.index = pd.DatetimeIndex(frame.index).strftime("%Y-%m-%d")
                frame.index.name = "Date"
                frame.to_csv(folder / f"{sid}.csv")
            else:
                raise ValueError(f"make_snapshot does not write {spec.source} series")
            write_manifest(root / spec.source)
        return root

    return make


def write_manifest(folder: Path) -> Path:
    """A ``manifest.json`` for every CSV of ``folder`` (sha256, rows, first, last), like the
    real snapshot's; make_snapshot writes one so synthetic files are verified too."""
    import hashlib
    import json

    entries = {}
    for path in sorted(folder.glob("*.csv")):
        lines = [x for x in path.read_text().splitlines()[1:] if x.strip()]
        entries[path.stem] = {
            "first": lines[0].split(",")[0] if lines else None,
            "last": lines[-1].split(",")[0] if lines else None,
            "rows": len(lines),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    target = folder / "manifest.json"
    target.write_text(json.dumps(entries, indent=2))
    return target
