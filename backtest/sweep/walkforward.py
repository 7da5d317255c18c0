"""Walk-forward validation: choose in sample, score out of sample, show the gap.

Three schemes, each selecting the configuration with the highest in-sample
Sharpe ratio and scoring it on data it did not see. Sharpe ratios within
:func:`~backtest.sweep.stats.sharpe_tolerance` (1e-9 relative) are ties:
the first tied configuration in grid order is chosen (``tied`` counts
them), and in the out-of-sample percentile a tie counts half:

* **rolling** — train on ``train_months`` calendar months, test on the next
  ``test_months``, then slide both by ``test_months``;
* **expanding** — the same test windows, trained on everything before them;
* **leave one episode out** — for each regime with at least two episodes
  (runs of the label), train on the other episodes of that regime and test
  on the one left out (choose on QT1, test on QT2, and vice versa).

Everything is computed from the per-segment moments a sweep keeps
(:class:`~backtest.sweep.measures.Measures`), so no daily returns are
needed. Sharpe ratios are annualised and in excess of the cash yield, as in
``sweep.parquet``. The stitched out-of-sample Sharpe ratio of a scheme is
that of the chosen configurations' test-window returns laid end to end —
the number to set against the in-sample Sharpe ratios that chose them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.metrics.regime import episodes
from backtest.regimes.labels import LABELS
from backtest.runner.config import RunConfig
from backtest.sweep.config import SweepConfig, WalkForwardConfig
from backtest.sweep.grid import format_params
from backtest.sweep.measures import combine, sharpe_from
from backtest.sweep.stats import sharpe_tolerance
from backtest.sweep.sweep import SweepResult, run_sweep
from backtest.sweep.text import format_walkforward

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from backtest.sweep.executor import Executor

__all__ = ["WINDOW_COLUMNS", "WalkForwardResult", "leave_one_episode_out", "run_walkforward",
           "walk_forward", "walk_forward_sweep", "window_table"]

WINDOW_COLUMNS = ["scheme", "window", "train_start", "train_end", "test_start", "test_end",
                  "chosen", "is_sharpe", "oos_sharpe", "oos_percentile", "oos_best_sharpe",
                  "tied"]
EPISODE_COLUMNS = ["regime", "test_episode", "train_episodes", "chosen", "is_sharpe",
                   "oos_sharpe", "oos_percentile", "oos_best_sharpe", "tied"]


@dataclass(frozen=True, eq=False)
class WalkForwardResult:
    """Side-by-side in-sample and out-of-sample Sharpe ratios.

    Attributes
    ----------
    windows : DataFrame
        One row per rolling or expanding window (:data:`WINDOW_COLUMNS`,
        plus one column per varying parameter of the chosen configuration).
    episodes : DataFrame
        One row per left-out episode.
    schemes : DataFrame
        Per scheme (``rolling``, ``expanding``, ``leave-one-out <regime>``):
        number of windows, mean in-sample Sharpe of the chosen
        configurations, stitched out-of-sample Sharpe, mean out-of-sample
        Sharpe, mean out-of-sample percentile, and the full-sample best
        configuration's Sharpe over the same out-of-sample sessions
        (hindsight, for reference).
    """

    windows: pd.DataFrame
    episodes: pd.DataFrame
    schemes: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """In-sample vs out-of-sample Sharpe per scheme (a copy of ``schemes``)."""
        return self.schemes.copy()

    def to_text(self) -> str:
        """What ``qtbt walkforward`` prints after the sweep: windows, episodes, summary."""
        return format_walkforward(self)

    def plot(self) -> Figure:
        """In-sample vs out-of-sample Sharpe of each window and episode (plotly; never shown)."""
        from backtest.report.sweep_charts import walkforward_figure

        return walkforward_figure(self.windows, self.episodes)


def _tied_best(is_sr: np.ndarray) -> np.ndarray:
    """Positions whose in-sample Sharpe ties the highest finite one (grid order; may be empty)."""
    ok = np.isfinite(is_sr)
    if not ok.any():
        return np.array([], dtype=np.int64)
    top = float(is_sr[ok].max())
    return np.flatnonzero(ok & (top - np.where(ok, is_sr, -np.inf) <= sharpe_tolerance(top)))


def _pick(is_sr: np.ndarray) -> int:
    """Position of the highest finite in-sample Sharpe, -1 if none.

    Sharpe ratios within :func:`~backtest.sweep.stats.sharpe_tolerance` of
    the highest tie with it; the first of them in grid order is chosen.
    """
    tied = _tied_best(is_sr)
    return int(tied[0]) if len(tied) else -1


def _percentile(oos: np.ndarray, k: int) -> float:
    """Share of the other configurations with a lower out-of-sample Sharpe.

    Sharpe ratios within :func:`~backtest.sweep.stats.sharpe_tolerance` of
    the chosen one's are ties and count half.
    """
    others = np.delete(oos, k)
    others = others[np.isfinite(others)]
    if not len(others) or not np.isfinite(oos[k]):
        return float("nan")
    tol = sharpe_tolerance(float(oos[k]))
    tied = np.abs(others - oos[k]) <= tol
    below = (others < oos[k]) & ~tied
    return float((np.sum(below) + 0.5 * np.sum(tied)) / len(others))


def _score(segs: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict[str, Any]:
    is_sr = sharpe_from(combine(segs, train))
    oos_stats = combine(segs, test)
    oos_sr = sharpe_from(oos_stats)
    k = _pick(is_sr)
    finite = oos_sr[np.isfinite(oos_sr)]
    return {"k": k, "tied": len(_tied_best(is_sr)),
            "is_sharpe": float(is_sr[k]) if k >= 0 else np.nan,
            "oos_sharpe": float(oos_sr[k]) if k >= 0 else np.nan,
            "oos_percentile": _percentile(oos_sr, k) if k >= 0 else np.nan,
            "oos_best_sharpe": float(finite.max()) if len(finite) else np.nan,
            "oos_stats": oos_stats[k] if k >= 0 else None}


def _chosen(params: Sequence[Mapping[str, Any]], k: int, varying: Sequence[str]) -> str:
    return format_params(params[k], varying) if k >= 0 else ""


def window_table(sessions: pd.DatetimeIndex, seg: np.ndarray, segs: np.ndarray,
                 params: Sequence[Mapping[str, Any]], varying: Sequence[str],
                 train_months: int, test_months: int,
                 min_test_sessions: int = 20) -> tuple[pd.DataFrame, dict[str, list[Any]]]:
    """Rolling and expanding windows on calendar months.

    Parameters
    ----------
    sessions : DatetimeIndex
        Backtest sessions.
    seg : ndarray of int, shape (T,)
        Segment of each session; segments must not straddle a month.
    segs : ndarray, shape (V, n_seg, 5)
        Segment moments per configuration.
    params : sequence of dict
        Parameters per configuration.
    varying : sequence of str
        Parameters shown in the ``chosen`` column.
    train_months, test_months : int
        Window lengths in calendar months.
    min_test_sessions : int
        A trailing test window shorter than this is dropped.

    Returns
    -------
    table : DataFrame
        :data:`WINDOW_COLUMNS` per window.
    stitched : dict
        Scheme -> list of (test mask over segments, chosen position, stats).
    """
    if train_months < 1 or test_months < 1:
        raise ParameterError(
            f"--train-months and --test-months must be >= 1; got {train_months}, {test_months}."
        )
    month = sessions.year.to_numpy() * 12 + sessions.month.to_numpy() - 1
    month = month - month[0]
    seg_first = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    seg_month = month[seg_first]
    n_months = int(month[-1]) + 1
    if train_months + 1 > n_months:
        raise EmptyRangeError(
            f"The range spans {n_months} months; --train-months {train_months} leaves no test "
            "window. Shorten the training window or widen the range."
        )
    rows: list[dict[str, Any]] = []
    stitched: dict[str, list[Any]] = {"rolling": [], "expanding": []}
    for scheme in ("rolling", "expanding"):
        k = 0
        while True:
            test_lo = train_months + k * test_months
            if test_lo >= n_months:
                break
            test_hi = min(test_lo + test_months, n_months)
            train_lo = test_lo - train_months if scheme == "rolling" else 0
            train = (seg_month >= train_lo) & (seg_month < test_lo)
            test = (seg_month >= test_lo) & (seg_month < test_hi)
            in_test = (month >= test_lo) & (month < test_hi)
            if int(in_test.sum()) < min_test_sessions:
                break
            in_train = (month >= train_lo) & (month < test_lo)
            sc = _score(segs, train, test)
            k += 1
            rows.append({"scheme": scheme, "window": k,
                         "train_start": sessions[in_train][0], "train_end": sessions[in_train][-1],
                         "test_start": sessions[in_test][0], "test_end": sessions[in_test][-1],
                         "chosen": _chosen(params, sc["k"], varying),
                         **{c: sc[c] for c in WINDOW_COLUMNS[7:]},
                         **{f"param_{n}": params[sc["k"]][n] if sc["k"] >= 0 else None
                            for n in varying}})
            stitched[scheme].append((test, sc["k"], sc["oos_stats"]))
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=WINDOW_COLUMNS)
    return table, stitched


def leave_one_episode_out(labels: pd.Series, seg: np.ndarray, segs: np.ndarray,
                          params: Sequence[Mapping[str, Any]], varying: Sequence[str],
                          regimes: Sequence[str] | None = None,
                          min_sessions: int = 20) -> tuple[pd.DataFrame, dict[str, list[Any]]]:
    """Choose on the other episodes of a regime, test on the one left out.

    Parameters
    ----------
    labels : Series of str
        Regime label per session (index: sessions).
    seg : ndarray of int, shape (T,)
        Segment of each session; segments must not straddle a label run.
    segs : ndarray, shape (V, n_seg, 5)
        Segment moments per configuration.
    params, varying
        As in :func:`window_table`.
    regimes : sequence of str, optional
        Regimes to use (default: every regime with two or more episodes).
    min_sessions : int
        Episodes shorter than this are ignored.
    """
    runs = episodes(labels)
    runs = runs[runs["days"] >= min_sessions].reset_index(drop=True)
    seg_first = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    first_dates = labels.index[seg_first]
    rows: list[dict[str, Any]] = []
    stitched: dict[str, list[Any]] = {}
    unknown = [r for r in regimes or () if r not in LABELS]
    if unknown:
        raise ParameterError(f"--regimes {unknown} unknown; choose from {', '.join(LABELS)}.")
    wanted = list(regimes) if regimes is not None else list(dict.fromkeys(runs["label"]))
    for regime in wanted:
        eps = runs[runs["label"] == regime].reset_index(drop=True)
        if len(eps) < 2:
            continue
        masks = [(first_dates >= e.start) & (first_dates <= e.end) for e in eps.itertuples()]
        names = [f"{regime}#{i + 1} {e.start:%Y-%m-%d}..{e.end:%Y-%m-%d}"
                 for i, e in enumerate(eps.itertuples())]
        for i in range(len(eps)):
            train = np.zeros(len(seg_first), dtype=bool)
            for j, m in enumerate(masks):
                if j != i:
                    train |= m
            sc = _score(segs, train, masks[i])
            rows.append({"regime": regime, "test_episode": names[i],
                         "train_episodes": ", ".join(n.split(" ")[0] for j, n in
                                                     enumerate(names) if j != i),
                         "chosen": _chosen(params, sc["k"], varying),
                         **{c: sc[c] for c in EPISODE_COLUMNS[4:]},
                         **{f"param_{n}": params[sc["k"]][n] if sc["k"] >= 0 else None
                            for n in varying}})
            stitched.setdefault(f"leave-one-out {regime}", []).append(
                (masks[i], sc["k"], sc["oos_stats"]))
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=EPISODE_COLUMNS)
    return table, stitched


def _summary(tables: Mapping[str, pd.DataFrame], stitched: Mapping[str, list[Any]],
             segs: np.ndarray, best_full: int) -> pd.DataFrame:
    rows = []
    for scheme, items in stitched.items():
        table = tables["episodes" if scheme.startswith("leave") else "windows"]
        part = table[table["scheme"] == scheme] if "scheme" in table.columns else \
            table[table["regime"] == scheme.split(" ", 1)[1]]
        parts = [s for _, k, s in items if s is not None]
        oos = float(sharpe_from(combine(np.stack(parts)[None], np.arange(len(parts))))[0]) \
            if parts else np.nan
        union = np.zeros(segs.shape[1], dtype=bool)
        for mask, _, _ in items:
            union |= mask
        hindsight = float(sharpe_from(combine(segs[best_full:best_full + 1], union))[0]) \
            if best_full >= 0 else np.nan
        rows.append({"scheme": scheme, "windows": len(items),
                     "is_sharpe_mean": float(part["is_sharpe"].mean()),
                     "oos_sharpe_stitched": oos,
                     "oos_sharpe_mean": float(part["oos_sharpe"].mean()),
                     "oos_percentile_mean": float(part["oos_percentile"].mean()),
                     "full_sample_best_oos_sharpe": hindsight})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["degradation"] = out["oos_sharpe_stitched"] - out["is_sharpe_mean"]
    return out


def walk_forward(sessions: pd.DatetimeIndex, labels: pd.Series, seg: np.ndarray,
                 segs: np.ndarray, params: Sequence[Mapping[str, Any]],
                 varying: Sequence[str], *, train_months: int = 36, test_months: int = 12,
                 regimes: Sequence[str] | None = None,
                 min_sessions: int = 20) -> WalkForwardResult:
    """Rolling, expanding and leave-one-episode-out validation of a sweep.

    Parameters
    ----------
    sessions : DatetimeIndex
        Backtest sessions.
    labels : Series of str
        Regime label per session.
    seg : ndarray of int, shape (T,)
        Segment per session; segments may not straddle a month or a label
        run (build the sweep with ``monthly_segments=True``).
    segs : ndarray, shape (V, n_seg, 5)
        Segment moments per configuration (``SweepResult.measures.segments``).
    params : sequence of dict
        Parameters per configuration.
    varying : sequence of str
        Parameters that differ across configurations.
    train_months, test_months : int
        Rolling/expanding window lengths, calendar months.
    regimes : sequence of str, optional
        Regimes for leave-one-episode-out (default: all with two or more
        episodes of at least ``min_sessions`` sessions).
    min_sessions : int
        Shortest episode and shortest test window kept, sessions.
    """
    if segs.shape[0] != len(params):
        raise ParameterError(f"{segs.shape[0]} moment rows for {len(params)} configurations.")
    windows, st_w = window_table(sessions, seg, segs, params, varying, train_months,
                                 test_months, min_sessions)
    eps, st_e = leave_one_episode_out(labels, seg, segs, params, varying, regimes,
                                      min_sessions)
    full = sharpe_from(combine(segs, np.ones(segs.shape[1], dtype=bool)))
    schemes = _summary({"windows": windows, "episodes": eps}, {**st_w, **st_e}, segs,
                       _pick(full))
    return WalkForwardResult(windows, eps, schemes)


def walk_forward_sweep(result: SweepResult, config: WalkForwardConfig | None = None,
                       **options: Any) -> WalkForwardResult:
    """:func:`walk_forward` on a sweep run with monthly segments.

    Parameters
    ----------
    result : SweepResult
        A sweep with ``monthly_segments=True`` (or a ``walkforward`` setting).
    config : WalkForwardConfig, optional
        Window lengths, regimes and shortest episode (default: ``WalkForwardConfig()``).
    **options
        Overrides of single fields (``train_months=24``, ``test_months``,
        ``regimes``, ``min_sessions``).
    """
    wf = config if config is not None else WalkForwardConfig()
    if options:
        unknown = sorted(set(options) - set(WalkForwardConfig.__dataclass_fields__))
        if unknown:
            raise ParameterError(f"walk_forward_sweep got unknown option(s) {unknown}; "
                                 f"allowed: {', '.join(WalkForwardConfig.__dataclass_fields__)}.")
        wf = WalkForwardConfig(**{**wf.__dict__, **options})
    month = result.sessions.year * 12 + result.sessions.month
    seg = result.segments.seg
    straddle = (np.diff(seg) == 0) & (np.diff(month.to_numpy()) != 0)
    if straddle.any():
        raise ParameterError(
            "walk-forward needs month boundaries in the sweep's segments; run the sweep with "
            "monthly_segments=True."
        )
    return walk_forward(result.sessions, result.labels, seg, result.measures.segments,
                        result.params, result.varying, train_months=wf.train_months,
                        test_months=wf.test_months, regimes=wf.regimes,
                        min_sessions=wf.min_sessions)


def run_walkforward(cfg: RunConfig, grid: Mapping[str, Sequence[Any]] | None = None,
                    store: DataStore | str | Path | None = None, *,
                    settings: SweepConfig | None = None, executor: Executor | None = None,
                    **options: Any) -> tuple[SweepResult, WalkForwardResult]:
    """Sweep ``grid`` with monthly segments, then validate it out of sample.

    Arguments as :func:`~backtest.sweep.sweep.run_sweep`; the walk-forward
    settings are ``settings.walkforward`` (default :class:`WalkForwardConfig`).

    Returns
    -------
    sweep : SweepResult
        The sweep (``to_text()`` is what ``qtbt walkforward`` prints first).
    walkforward : WalkForwardResult
        Rolling, expanding and leave-one-episode-out validation.
    """
    base = SweepConfig.given(settings)
    wf = base.walkforward if base.walkforward is not None else WalkForwardConfig()
    result = run_sweep(cfg, grid, store, settings=base, executor=executor,
                       **{"monthly_segments": True, **options})
    return result, walk_forward_sweep(result, wf)
