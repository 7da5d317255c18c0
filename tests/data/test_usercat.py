"""The user catalog: parsing, checks with teaching errors, activation, and its file writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.data.catalog import AT_CLOSE, get_spec, parse_series_ref
from backtest.data.catalog_file import entry_toml, upsert_entry
from backtest.data.usercat import (
    DEFAULT_RELEASE,
    active_catalog,
    find_project_catalog,
    load_user_catalog,
    use_catalog,
    using_catalog,
)
from backtest.exceptions import ConfigError, UnknownSeriesError

CSV_ENTRY = """
[series.MY_CPI]
source = "csv"
path = "data/cpi.csv"
units = "index"
frequency = "monthly"
release = { lag = 20, anchor = "period_end" }
"""


def _catalog(tmp_path: Path, text: str, name: str = "qtbt.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_entry_resolves_its_path_against_the_catalog_folder(tmp_path: Path) -> None:
    cat = load_user_catalog(_catalog(tmp_path, CSV_ENTRY))
    (spec,) = cat.specs
    assert spec.id == "MY_CPI" and spec.source == "csv" and spec.kind == "series"
    assert spec.path == str((tmp_path / "data" / "cpi.csv").resolve())
    assert spec.column == "value" and spec.units == "index" and spec.frequency == "monthly"
    assert (spec.release.lag, spec.release.anchor, spec.release.timing) == \
        (20, "period_end", "before_close")
    assert not spec.default_release and spec.catalog == str(cat.path)
    assert len(cat.sha256) == 64 and cat.ids == ("MY_CPI",)
    assert "MY_CPI (csv)" in cat.describe()


def test_yahoo_entry_is_daily_ohlcv_known_at_the_close(tmp_path: Path) -> None:
    cat = load_user_catalog(_catalog(tmp_path, '[series.TNX]\nsource = "yahoo"\n'
                                                'symbol = "^TNX"\nunits = "percent x 10"\n'))
    (spec,) = cat.specs
    assert spec.kind == "ohlcv" and spec.default_field == "Adj Close"
    assert spec.provider_symbol == "^TNX" and spec.release == AT_CLOSE
    assert spec.units == "percent x 10" and not spec.default_release


@pytest.mark.parametrize("freq", ["daily", "weekly", "monthly", "quarterly"])
def test_missing_release_takes_the_conservative_default(tmp_path: Path, freq: str) -> None:
    text = f'[series.X1]\nsource = "fred"\nunits = "percent"\nfrequency = "{freq}"\n'
    (spec,) = load_user_catalog(_catalog(tmp_path, text)).specs
    assert spec.default_release and spec.release == DEFAULT_RELEASE[freq]
    assert spec.release.lag >= 1  # never "known the same day" by default


@pytest.mark.parametrize(("text", "message"), [
    ('[series.SPY]\nsource = "yahoo"\n',
     r"'SPY' is a built-in series \(SPDR S&P 500 ETF, yahoo\); a user catalog cannot replace "
     r"it\. Use SPY as it is"),
    ('[series.walcl]\nsource = "fred"\nunits = "x"\nfrequency = "weekly"\n',
     r"'walcl' is a built-in series"),
    ('[series.A]\nsource = "csv"\npath = "a.csv"\nunits = "x"\nfrequency = "monthy"\n',
     r"frequency = 'monthy' is not allowed\. Did you mean 'monthly'\? Choose one of daily"),
    ('[series.A]\nsource = "excel"\n', r"source = 'excel' is not allowed\..*csv, fred, yahoo"),
    ('[series.A]\nsource = "fred"\nunit = "x"\nfrequency = "daily"\n',
     r"unknown key 'unit' for a fred series\. Did you mean 'units'\?"),
    ('[series.A]\nsource = "fred"\nfrequency = "daily"\n', r"units must be a non-empty string"),
    ('[series.A]\nsource = "csv"\nunits = "x"\nfrequency = "daily"\n',
     r"path must be a non-empty string"),
    ('[series.A]\nsource = "fred"\nunits = "x"\nfrequency = "daily"\nrelease = { lag = -1 }\n',
     r"release lag = -1 is not a whole number of days from 0 to 400"),
    ('[series.A]\nsource = "fred"\nunits = "x"\nfrequency = "daily"\nrelease = { lags = 1 }\n',
     r"release has no field 'lags'\. Did you mean 'lag'\?"),
    ('[series.A]\nsource = "fred"\nunits = "x"\nfrequency = "daily"\n'
     'release = { anchor = "period" }\n', r"release anchor = 'period' is not allowed"),
    ('[series.A]\nsource = "fred"\nunits = "x"\nfrequency = "daily"\nrelease = 3\n',
     r"release must be a table"),
    ('[series."A.B"]\nsource = "yahoo"\n', r"'A\.B' is not a usable id.*no '\.'"),
    ('[series.AB]\nsource = "yahoo"\n[series.ab]\nsource = "yahoo"\n',
     r"'ab' is declared twice \(also as 'AB'"),
    ('[series.A]\nsource = "yahoo"\nfrequency = "weekly"\n', r"Yahoo prices are daily"),
    ('[series.A]\nsource = "csv\n', r"is not valid TOML: .*line 2"),
    ('[series]\nA = 1\n', r"\[series\.A\]: expected a table of keys, got 1"),
    ('strategy = "playbook"\n', r"unknown top-level key\(s\) \['strategy'\]"),
])
def test_bad_catalogs_are_teaching_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _catalog(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_user_catalog(path)
    assert str(path) in str(info.value)


def test_missing_catalog_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist\. Create it with `qtbt data add"):
        load_user_catalog(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_user_catalog(tmp_path)


def test_activated_ids_are_series_like_any_other(tmp_path: Path) -> None:
    path = _catalog(tmp_path, CSV_ENTRY + '[series.XLE]\nsource = "yahoo"\n')
    with pytest.raises(UnknownSeriesError, match=r"qtbt data add"):
        get_spec("MY_CPI")
    with using_catalog(path) as cat:
        assert active_catalog() is cat
        assert get_spec("my_cpi").id == "MY_CPI"  # ids are case-insensitive, as built-ins
        assert parse_series_ref("XLE.Close") == (get_spec("XLE"), "Close")
        assert get_spec("SPY").catalog == ""  # built-ins untouched
        with pytest.raises(UnknownSeriesError, match=r"Did you mean: MY_CPI"):
            get_spec("MY_CP")
    assert active_catalog() is None
    with pytest.raises(UnknownSeriesError):
        get_spec("XLE")
    use_catalog(path)
    assert get_spec("XLE").source == "yahoo"
    use_catalog(None)
    with pytest.raises(UnknownSeriesError):
        get_spec("XLE")


def test_project_file_is_found_in_the_given_folder(tmp_path: Path) -> None:
    assert find_project_catalog(tmp_path) is None
    _catalog(tmp_path, CSV_ENTRY)
    assert find_project_catalog(tmp_path) == tmp_path / "qtbt.toml"


def test_entry_toml_quotes_strings_and_writes_inline_release() -> None:
    text = entry_toml("A", {"source": "csv", "title": 'the "cap"', "units": "x",
                            "frequency": "daily", "release": {"lag": 2, "business_days": True},
                            "column": None})
    assert text == ('[series.A]\nsource = "csv"\ntitle = "the \\"cap\\""\nunits = "x"\n'
                    'frequency = "daily"\nrelease = { lag = 2, business_days = true }\n')


def test_upsert_replaces_one_table_and_keeps_the_rest() -> None:
    text = ("# my series\n[series.A]\nsource = \"yahoo\"\n\n# the next one\n"
            "[series.B]\nsource = \"yahoo\"\n")
    new, action = upsert_entry(text, "A", {"source": "yahoo", "symbol": "^A"})
    assert action == "updated"
    assert new == ("# my series\n[series.A]\nsource = \"yahoo\"\nsymbol = \"^A\"\n\n"
                   "# the next one\n[series.B]\nsource = \"yahoo\"\n")
    added, action = upsert_entry(new, "C", {"source": "yahoo"})
    assert action == "added" and added == new + "\n[series.C]\nsource = \"yahoo\"\n"
    assert upsert_entry("", "A", {"source": "yahoo"}) == ("[series.A]\nsource = \"yahoo\"\n",
                                                           "added")
