"""`qtbt regimes` end to end on the real snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_episodes_csv(snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["regimes", "--format", "csv", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("label,start,end,weeks,securities_change_bn,assets_pct_gdp_start,"
                        "assets_pct_gdp_end,net_liquidity_change_bn")
    qt2 = next(line for line in lines if line.startswith("QT,2022-06-01"))
    assert qt2.split(",")[2] == "2024-05-31"
    assert float(qt2.split(",")[4]) < -1500  # QT2 shed more than $1.5tn of securities


def test_daily_labels_and_json(snapshot_dir: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "daily.csv"
    code, _, err = run(["regimes", "--daily", "--anchor", "announce", "--out", str(out_file),
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0 and "wrote" in err
    text = out_file.read_text().splitlines()
    assert text[0] == "date,regime"
    assert "2020-03-16,QE" in text
    assert "2020-03-13,neutral" in text
    code, out, _ = run(["regimes", "--classifier", "data", "--format", "json",
                        "--data-dir", str(snapshot_dir)], capsys)
    rows = json.loads(out)
    assert {r["label"] for r in rows} <= {"QE", "taper", "QT", "end_of_qt", "neutral"}


def test_validate_reports_numbers(snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["regimes", "--validate", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0
    assert "weeks agreeing:" in out and "detection delay: median" in out
    code, out, _ = run(["regimes", "--validate", "--format", "json",
                        "--data-dir", str(snapshot_dir)], capsys)
    payload = json.loads(out)
    assert payload["changes"] == 17 and 0.5 < payload["agreement"] <= 1


def test_plot_png_and_html(snapshot_dir: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("r.png", "r.html"):
        code, _, _ = run(["regimes", "--plot", str(tmp_path / name),
                          "--data-dir", str(snapshot_dir)], capsys)
        assert code == 0
        assert (tmp_path / name).stat().st_size > 10_000
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    assert "<script" in (tmp_path / "r.html").read_text()[:5_000_000]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--param", "window_weeks=99", "--classifier", "data"], "window_weeks = 99 is out"),
        (["--param", "speed=3", "--classifier", "data"], "Unknown data-classifier parameter"),
        (["--param", "qe_enter=30"], "--param applies to the data classifier"),
        (["--plot", "x.pdf"], "--plot takes a .png or .html"),
    ],
)
def test_bad_input(extra: list[str], message: str, snapshot_dir: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["regimes", *extra, "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_bad_events_file(snapshot_dir: Path, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ev.csv"
    bad.write_text("announced,effective,label,kind,description,source\n"
                   "2020-03-15,2020-03-16,QE,qe,x,y\n2020-04-01,2020-03-01,QT,qt_start,x,y\n")
    code, _, err = run(["regimes", "--events", str(bad), "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2
    assert "line 3: effective date 2020-03-01 is before the announcement" in err


def test_param_types_and_end_past_the_data(snapshot_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    from backtest.exceptions import StaleSeriesWarning

    code, _, err = run(["regimes", "--classifier", "data", "--param", "qe_enter=abc",
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2 and "qe_enter = 'abc' is not a number" in err
    with warnings.catch_warnings():
        warnings.simplefilter("always", StaleSeriesWarning)
        code, out, err = run(["regimes", "--daily", "--end", "2030-01-01", "--data-dir",
                              str(snapshot_dir)], capsys)
    assert code == 0
    # the last session at which WSHOSHO's last release is known, wherever the snapshot ends
    from backtest.data.panel import known_observations
    from backtest.data.store import DataStore

    known = known_observations("WSHOSHO", DataStore(data_dir=snapshot_dir))
    last = f"{known.index[-1]:%Y-%m-%d}"
    assert f"WSHOSHO is known only to {last}; regimes end there" in err
    assert out.splitlines()[-1].startswith(f"{last},")
    code, _, err = run(["regimes", "--start", "2021-01-01", "--end", "2020-01-01",
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2 and "swap them" in err


def test_compare_prints_disagreement_and_warns(snapshot_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    from backtest.exceptions import ClassifierDisagreementWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", ClassifierDisagreementWarning)
        code, out, err = run(["regimes", "--compare", "calendar,data", "--data-dir",
                              str(snapshot_dir)], capsys)
    assert code == 0
    assert "calendar vs data:" in out and "sessions differ" in out
    assert "The calendar classifier sees 2 QT episode(s); data: 4" in err
    code, out, _ = run(["regimes", "--compare", "calendar,rules", "--format", "json",
                        "--data-dir", str(snapshot_dir)], capsys)
    payload = json.loads(out)
    assert payload[0]["episodes"]["rules"]["QT"] == 2
    assert 0 < payload[0]["share_differ"] < 0.2


def test_daily_phases(snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["regimes", "--daily", "--phases", "--start", "2024-05-01", "--end",
                        "2025-12-31", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "date,regime,phase,weeks"
    assert "2024-06-03,end_of_qt,slowdown,0.0" in lines
    # one end_of_qt regime from 2024-06-03: runoff stopped 78 weeks in
    assert "2025-12-01,end_of_qt,stopped,78.0" in lines
    # QT2 began on 2022-06-01, before --start: weeks count from there
    assert "2024-05-01,QT,late,100.0" in lines


def test_validate_csv_has_every_classifier(snapshot_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["regimes", "--validate", "--format", "csv", "--data-dir",
                        str(snapshot_dir)], capsys)
    assert code == 0
    rows = [line.split(",")[:2] for line in out.splitlines()[1:]]
    assert ["rules", "loeo"] in rows and ["data", "walk_forward"] in rows
    assert ["markov", "untuned"] in rows and ["hybrid", "untuned"] in rows


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--end-of-qt-days", "99999999999"], "end_of_qt_days must be a positive whole number"),
        (["--end-of-qt-days", "0"], "allowed: 1 to 3650"),
        (["--classifier", "rule"], "Did you mean 'rules'?"),
        (["--compare", "calendar"], "--compare takes two or more different classifier"),
        (["--compare", "calendar,markof"], "Did you mean 'markov'?"),
        (["--phases"], "--phases adds columns to --daily"),
    ],
)
def test_bad_regime_options_teach(extra: list[str], message: str, snapshot_dir: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["regimes", *extra, "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
