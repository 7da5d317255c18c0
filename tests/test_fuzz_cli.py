"""Property-based fuzzing of the CLI: malformed CSV rows, manifests and option values.

Whatever the input, the CLI either succeeds or prints exactly one ``error:``
line and exits 2 (``data verify`` exits 1 when it finds bad or unverified
files): never a traceback, never a raw Python error. Each test tallies how
its cases ended in ``OUTCOMES`` (printed with ``pytest -s``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtest.cli import main
from backtest.exceptions import QtbtWarning
from tests.conftest import write_manifest

OUTCOMES: dict[str, Counter[str]] = {}
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """A small valid snapshot (DGS10 daily, WALCL weekly, UUP prices) with manifests."""
    root = Path(tempfile.mkdtemp(prefix="qtbt-fuzz-"))
    days = pd.bdate_range("2019-01-02", periods=60)
    (root / "fred").mkdir()
    (root / "yahoo").mkdir()
    (root / "fred" / "DGS10.csv").write_text(
        "observation_date,DGS10\n" + "".join(f"{d:%Y-%m-%d},{2 + i / 100:.2f}\n"
                                             for i, d in enumerate(days)))
    weeks = pd.date_range("2019-01-02", periods=12, freq="7D")
    (root / "fred" / "WALCL.csv").write_text(
        "observation_date,WALCL\n" + "".join(f"{d:%Y-%m-%d},{4000000 + i}\n"
                                             for i, d in enumerate(weeks)))
    (root / "yahoo" / "UUP.csv").write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n" + "".join(
            f"{d:%Y-%m-%d},25.0,25.2,24.8,{25 + i / 50:.3f},{25 + i / 50:.3f},1000\n"
            for i, d in enumerate(days)))
    write_manifest(root / "fred")
    write_manifest(root / "yahoo")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("always", QtbtWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def judge(name: str, code: int, err: str, ok_codes: tuple[int, ...] = (0,)) -> None:
    """Exit 0 (or an allowed code), or exit 2 with exactly one ``error:`` line.

    Parser errors (an option value outside its declared choices, an unknown
    option) are one ``error:`` line too, naming the help command to run.
    """
    assert "Traceback" not in err, err
    errors = [x for x in err.splitlines() if x.startswith("error:")]
    if code == 2:
        assert len(errors) == 1, err
        assert all(x.startswith(("error:", "warning:", "unverified:")) or not x.strip()
                   for x in err.splitlines()), err
        key = "exit 2: " + _kind(errors[0])
    else:
        assert code in ok_codes, (code, err)
        assert not errors, err
        key = f"exit {code}" + (" with warning" if "warning:" in err else "")
    OUTCOMES.setdefault(name, Counter())[key] += 1


KINDS = {
    "field(s)": "wrong field count", "is not a number": "not a number", "is not %Y": "bad date",
    "not a plausible": "implausible value", "is not plausible": "implausible value",
    "times the previous": "implausible jump", "times that row": "implausible OHLC",
    "repeats or goes": "date order", "headers swapped": "swapped adjustment",
    "no data rows": "header only", "not a valid CSV": "CSV syntax",
    "not valid JSON": "manifest JSON", "expected an object": "manifest not an object",
    "is not a date": "bad date option", "is empty": "empty file", "not UTF-8": "not UTF-8",
    "no observations": "empty range", "is after end": "reversed range",
    "--help`": "option rejected by the parser",
    "missing column": "header", "no date column": "header", "fewer than 2": "header",
    "Unknown series": "unknown series", "has no field": "unknown field",
    "--grid takes": "grid syntax", "has no parameter": "unknown param",
    "is not allowed; choose": "value not in choices", "out of range": "value out of range",
    "must be a": "wrong type", "is not a size": "bad size", "must be positive": "bad size",
    "is outside": "date out of range",
}


def _kind(line: str) -> str:
    return next((kind for needle, kind in KINDS.items() if needle in line),
                "other: " + line[-70:])


def copy_of(template: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="qtbt-case-"))
    shutil.copytree(template, root, dirs_exist_ok=True)
    return root


FIELD = st.one_of(
    st.floats(0.01, 1000).map(lambda x: f"{x:.3f}"),
    st.floats(0.01, 1000).map(lambda x: f"{x:.3f}"),
    st.sampled_from(["", ".", "nan", "inf", "-inf", "1e308", "-1", "0", "25.1", "abc", "1,5",
                     '"3"', "2019-02-30", "2019-01-03", " ", "\t", "1e-308", "NaN", "null"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789-.,eE\" ", max_size=12),
)
NEAR = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2020, 12, 31)).map(str)
DATE = st.one_of(NEAR, NEAR, NEAR, NEAR,
                 st.sampled_from(["2019-01-03", "2019-02-30", "2019-1-5", "", "x"]),
                 st.dates().map(str))


@st.composite
def rows(draw: st.DrawFn, n_fields: int) -> str:
    """A CSV row: mostly the header's field count with a date first, sometimes anything."""
    if draw(st.integers(0, 3)) == 0:
        return ",".join(draw(st.lists(FIELD, max_size=9)))
    return ",".join([draw(DATE), *draw(st.lists(FIELD, min_size=n_fields - 1,
                                                 max_size=n_fields - 1))])


@FUZZ
@given(data=st.data(), where=st.sampled_from(["append", "replace", "insert"]),
       target=st.sampled_from(["fred/DGS10.csv", "yahoo/UUP.csv", "fred/WALCL.csv"]),
       resign=st.booleans())
def test_malformed_csv_rows(template: Path, capsys: pytest.CaptureFixture[str],
                            data: st.DataObject, where: str, target: str, resign: bool) -> None:
    row = data.draw(rows(7 if target.startswith("yahoo") else 2))
    root = copy_of(template)
    try:
        path = root / target
        lines = path.read_text().splitlines()
        if where == "append":
            lines.append(row)
        elif where == "replace":
            lines[5] = row
        else:
            lines.insert(3, row)
        path.write_text("\n".join(lines) + "\n")
        if resign:
            write_manifest(path.parent)
        sid = path.stem
        code, _, err = cli(["data", "show", sid, "--format", "csv", "--data-dir", str(root)],
                           capsys)
        judge("csv rows (data show)", code, err)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@FUZZ
@given(values=st.lists(FIELD, min_size=6, max_size=6), line=st.integers(2, 12),
       target=st.sampled_from(["fred/DGS10.csv", "yahoo/UUP.csv", "fred/WALCL.csv"]))
def test_malformed_values(template: Path, capsys: pytest.CaptureFixture[str],
                          values: list[str], line: int, target: str) -> None:
    """The values of one existing row replaced, its date kept; the manifest re-signed."""
    root = copy_of(template)
    try:
        path = root / target
        lines = path.read_text().splitlines()
        n = len(lines[0].split(",")) - 1
        lines[line - 1] = ",".join([lines[line - 1].split(",")[0], *values[:n]])
        path.write_text("\n".join(lines) + "\n")
        write_manifest(path.parent)
        code, _, err = cli(["data", "show", path.stem, "--format", "csv", "--data-dir",
                            str(root)], capsys)
        judge("csv values (data show)", code, err)
    finally:
        shutil.rmtree(root, ignore_errors=True)


MANIFEST = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["{", "[]", "null", "1", '"x"', "{}", '{"DGS10": 1}', '{"DGS10": null}',
                     '{"DGS10": {"sha256": 5}}', '{"DGS10": {"rows": "x"}}',
                     '{"DGS10": {"sha256": "00", "rows": 60}}', '{"DGS10.csv": {}}']),
    st.dictionaries(st.sampled_from(["DGS10", "WALCL", "DGS10.csv", "OTHER", ""]),
                    st.one_of(st.none(), st.integers(), st.text(max_size=5),
                              st.dictionaries(st.sampled_from(["sha256", "rows", "first",
                                                               "last"]),
                                              st.one_of(st.integers(), st.text(max_size=8)),
                                              max_size=4)),
                    max_size=4).map(lambda d: __import__("json").dumps(d)),
)


@FUZZ
@given(manifest=MANIFEST, command=st.sampled_from(["verify", "show", "list"]))
def test_malformed_manifests(template: Path, capsys: pytest.CaptureFixture[str], manifest: str,
                             command: str) -> None:
    root = copy_of(template)
    try:
        (root / "fred" / "manifest.json").write_text(manifest)
        argv = {"verify": ["data", "verify"], "show": ["data", "show", "DGS10"],
                "list": ["data", "list"]}[command]
        code, _, err = cli([*argv, "--data-dir", str(root)], capsys)
        judge(f"manifests (data {command})", code, err,
              ok_codes=(0, 1) if command == "verify" else (0,))
        if command != "verify":
            assert code == 0, err  # a bad manifest never stops a read, it is reported
    finally:
        shutil.rmtree(root, ignore_errors=True)


OPTION = st.one_of(
    st.sampled_from(["", "now", "today", "2020-1-5", "nan", "2019-02-30", "20190105",
                     "2019-01-05T00:00", "-1", "1e400", "inf", "2019-01-10", "2019-03-01",
                     "1900-01-01", "9999-12-31", "csv", "table", "json", "release",
                     "observation", "WALCL", "DGS10.x", "UUP.Close", "--", "-"]),
    st.text(max_size=15),
)


VALID = {"--start": "2019-01-10", "--end": "2019-03-01", "--format": "csv",
         "--asof": "release", "ref": "DGS10"}


@FUZZ
@given(fuzzed=st.lists(st.sampled_from(["--start", "--start", "--end", "--end", "ref",
                                        "--format", "--asof"]),
                       min_size=1, max_size=2, unique=True),
       values=st.lists(OPTION, min_size=2, max_size=2))
def test_option_values(template: Path, capsys: pytest.CaptureFixture[str],
                       fuzzed: list[str], values: list[str]) -> None:
    """One or two of data show's options get an arbitrary value, the rest a valid one."""
    opts = {**VALID, **dict(zip(fuzzed, values, strict=False))}
    argv = ["data", "show", opts.pop("ref") or "DGS10",
            *[f"{k}={v}" for k, v in opts.items()], "--data-dir", str(template)]
    code, _, err = cli(argv, capsys)
    judge("option values (data show)", code, err)


@FUZZ
@given(values=st.lists(st.one_of(st.text(max_size=8), st.sampled_from(
    ["0.2", "1.5", "-2", "nan", "inf", "abc", "", "0", "1"])), min_size=1, max_size=6),
    name=st.sampled_from(["qt_tilt", "qt_tlt", "cash_asset", "", "pair"]),
    memory=st.sampled_from(["", "0", "-1GB", "1e3", "4GiB", "abc", "1 TB"]))
def test_sweep_grid_values(template: Path, capsys: pytest.CaptureFixture[str],
                           values: list[str], name: str, memory: str) -> None:
    """Bad --grid/--max-memory values are refused before any data is read."""
    argv = ["sweep", "value_tilt", "--grid", f"{name}={','.join(values)}",
            "--max-memory", memory, "--data-dir", str(template / "nope")]
    code, _, err = cli(argv, capsys)
    judge("sweep option values", code, err, ok_codes=())


def test_zz_report_outcomes() -> None:
    """Print the tally (run with -s); every fuzz test above contributed."""
    for name, counts in sorted(OUTCOMES.items()):
        print(f"\n{name}: {sum(counts.values())} cases")
        for key, n in counts.most_common():
            print(f"  {n:4d}  {key}")
    assert not OUTCOMES or all(sum(c.values()) > 0 for c in OUTCOMES.values())
