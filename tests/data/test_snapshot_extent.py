"""`qtbt data list`'s quick count of a verified snapshot file equals a full, checked load."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from backtest.data.catalog import all_specs
from backtest.data.providers.snapshot import SnapshotProvider
from backtest.data.store import DataStore
from backtest.exceptions import QtbtWarning


def test_quick_extent_matches_the_checked_load(snapshot_dir: Path) -> None:
    snap = SnapshotProvider(snapshot_dir)
    store = DataStore(data_dir=snapshot_dir)
    seen = 0
    for spec in all_specs().values():
        if not snap.has(spec):
            continue
        field = spec.default_field or spec.id
        col = store.load(spec).data[field].dropna()
        assert snap.extent(spec, field) == (col.index[0].date(), col.index[-1].date(),
                                            len(col)), spec.id
        seen += 1
    assert seen >= 80


def test_a_changed_file_is_not_counted_quickly(snapshot_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "fred").mkdir()
    for name in ("WALCL.csv", "manifest.json"):
        shutil.copy(snapshot_dir / "fred" / name, tmp_path / "fred" / name)
    snap = SnapshotProvider(tmp_path)
    spec = all_specs()["WALCL"]
    assert snap.extent(spec, "WALCL") is not None
    path = tmp_path / "fred" / "WALCL.csv"
    path.write_text(path.read_text().replace("2002-12-18,", "2002-12-18,1", 1))
    assert snap.extent(spec, "WALCL") is None  # no longer the published file: load and check it
    assert snap.extent(spec, "NOPE") is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QtbtWarning)
        assert not DataStore(data_dir=tmp_path).load(spec).data.empty


def test_missing_cells_by_hand(tmp_path: Path) -> None:
    """Empty, '.' and literal NaN cells are missing (as the checked load reads them)."""
    import datetime as dt
    import json

    from backtest.data.providers.snapshot import file_sha256

    (tmp_path / "fred").mkdir()
    path = tmp_path / "fred" / "WALCL.csv"
    path.write_text("observation_date,WALCL\n2020-01-01,.\n2020-01-08,5\n2020-01-15,NaN\n"
                    "2020-01-22,\n2020-01-29,7\n2020-02-05,.\n")
    (tmp_path / "fred" / "manifest.json").write_text(json.dumps(
        {"WALCL": {"sha256": file_sha256(path)}}))
    assert SnapshotProvider(tmp_path).extent(all_specs()["WALCL"], "WALCL") == (
        dt.date(2020, 1, 8), dt.date(2020, 1, 29), 2)
