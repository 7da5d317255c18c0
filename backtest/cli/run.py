"""``qtbt run`` and ``qtbt strategies``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import typer

from backtest.cli.common import CacheDirOpt, DataDirOpt, OfflineOpt, make_store, parse_params
from backtest.report import save_run
from backtest.runner import RunConfig, RunOutput, load_config_file, run
from backtest.runner.rundir import check_run_target
from backtest.strategy import load_registry

__all__ = ["format_summary", "run_cmd", "strategies_cmd"]


def strategies_cmd(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show the claim tested.")
                       ] = False,
) -> None:
    """List strategies: name, one-line description and parameters."""
    for name, spec in load_registry().items():
        typer.echo(f"{name:<15} {spec.description}")
        if verbose:
            typer.echo(f"{'':<15} claim: {spec.claim}")
        for p in spec.params:
            typer.echo(f"{'':<17}{p.describe()}")


def format_summary(out: RunOutput) -> str:
    """Overall and per-regime table: strategy next to its benchmarks."""
    names = ["strategy", *out.metrics["benchmarks"]]
    blocks = [out.metrics, *out.metrics["benchmarks"].values()]
    overall = pd.DataFrame({n: b["overall"] for n, b in zip(names, blocks, strict=True)})
    rows = ["total_return", "cagr", "ann_vol", "sharpe", "sortino", "max_drawdown", "turnover",
            "costs", "days"]
    lines = [f"{out.config.strategy}: {out.result.returns.index[0]:%Y-%m-%d} to "
             f"{out.result.returns.index[-1]:%Y-%m-%d}, rebalance {out.engine.rebalance}, "
             f"costs {out.engine.costs_bps:g} bps, cash yield {out.config.cash_yield}",
             overall.loc[[r for r in rows if r in overall.index]].to_string(
                 float_format=lambda v: f"{v:,.4f}"),
             "", "Sharpe by regime (days, episodes):"]
    reg: dict[str, dict[str, Any]] = {}
    for n, b in zip(names, blocks, strict=True):
        for label, m in b["by_regime"].items():
            reg.setdefault(label, {})[n] = m["sharpe"]
            reg[label]["days"] = m["days"]
            reg[label]["episodes"] = m["episodes"]
    table = pd.DataFrame(reg).T[[*names, "days", "episodes"]]
    table = table.astype({n: float for n in names} | {"days": int, "episodes": int})
    lines.append(table.to_string(float_format=lambda v: f"{v:,.3f}"))
    thin = [lab for lab, m in reg.items() if int(m["episodes"]) < 2]
    if thin:
        lines.append(f"note: {', '.join(thin)} rest on a single episode; read them as anecdotes.")
    return "\n".join(lines)


def build_config(strategy: str | None, config: Path | None, param: list[str] | None,
                 overrides: dict[str, Any], engine_over: dict[str, Any],
                 benchmarks: tuple[str, ...] | None = None) -> RunConfig:
    """RunConfig from a TOML file, a strategy name, ``--param`` pairs and CLI overrides.

    CLI values win over the file; None overrides are ignored.
    """
    base: dict[str, Any] = load_config_file(config) if config is not None else {}
    if strategy is not None:
        base["strategy"] = strategy
    if "strategy" not in base:
        raise typer.BadParameter("name a strategy (`qtbt strategies` lists them) or pass "
                                 "--config with strategy = \"...\".")
    base["params"] = {**base.get("params", {}), **parse_params(param)}
    base["engine"] = {**base.get("engine", {}),
                      **{k: v for k, v in engine_over.items() if v is not None}}
    if benchmarks is not None:
        base["benchmarks"] = benchmarks
    return RunConfig(**base).with_overrides(**overrides)


def run_cmd(
    strategy: Annotated[str | None, typer.Argument(help="Strategy name (`qtbt strategies`).")
                        ] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="Strategy parameter name=value (repeatable).")] = None,
    config: Annotated[Path | None, typer.Option(help="TOML run configuration.")] = None,
    start: Annotated[str | None, typer.Option(help="First session (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last session (YYYY-MM-DD).")] = None,
    classifier: Annotated[Literal["calendar", "data"] | None, typer.Option(
        help="Regime classifier.")] = None,
    anchor: Annotated[Literal["announce", "effective"] | None, typer.Option(
        help="Calendar anchor.")] = None,
    costs_bps: Annotated[float | None, typer.Option(help="Costs, bps of traded value.")] = None,
    rebalance: Annotated[str | None, typer.Option(
        help="daily|weekly|monthly|regime_change|drift (default: the strategy's).")] = None,
    execution: Annotated[str | None, typer.Option(help="close (default) or open of t+1.")
                         ] = None,
    cash_yield: Annotated[str | None, typer.Option(help="DGS3MO (default), BIL or none.")
                          ] = None,
    out: Annotated[str, typer.Option(help="Parent folder of run directories.")] = "results",
    run_id: Annotated[str | None, typer.Option(help="Name of the run directory.")] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Backtest a strategy with its benchmarks and write results/<run_id>/."""
    started = dt.datetime.now(dt.UTC)
    cfg = build_config(strategy, config, param,
                       {"start": start, "end": end, "classifier": classifier, "anchor": anchor,
                        "cash_yield": cash_yield},
                       {"costs_bps": costs_bps, "rebalance": rebalance, "execution": execution})
    check_run_target(out, run_id)
    store = make_store(data_dir, cache_dir, offline=offline)
    output = run(cfg, store)
    path = save_run(output, out, run_id, command=["qtbt", *sys.argv[1:]], started_at=started)
    typer.echo(format_summary(output))
    typer.echo(f"\nwrote {path}")
