"""The ``qtbt`` command line (also ``python -m backtest``)."""

from __future__ import annotations

import sys
import traceback
import warnings
from typing import Any

import typer

from backtest.cli.lazy import LazyCommand, LazyGroup
from backtest.exceptions import QtbtError

try:  # typer >= 0.26 ships its own copy of click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer on plain click
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment]

__all__ = ["app", "main"]

class _Root(LazyGroup):
    """The ``qtbt`` group: each command's module is imported only when that command runs."""

    lazy = (
        LazyCommand("regimes", "backtest.cli.regimes", "regimes_cmd",
                    "Label Fed balance-sheet regimes and print the episodes table."),
        LazyCommand("events", "backtest.cli.events", "events_cmd",
                    "Measure moves around Fed balance-sheet events: bp for yields, returns for "
                    "prices."),
        LazyCommand("run", "backtest.cli.run", "run_cmd",
                    "Backtest a strategy with its benchmarks and write results/<run_id>/."),
        LazyCommand("strategies", "backtest.cli.run", "strategies_cmd",
                    "List strategies: name, one-line description and parameters."),
        LazyCommand("sweep", "backtest.cli.sweep", "sweep_cmd",
                    "Evaluate every configuration of a parameter grid; write "
                    "DIR/<run_id>/sweep.parquet."),
        LazyCommand("walkforward", "backtest.cli.sweep", "walkforward_cmd",
                    "Choose in sample, test out of sample: rolling, expanding, leave one "
                    "episode out."),
        LazyCommand("report", "backtest.cli.report", "report_cmd",
                    "Re-render a run's report.html from its saved results (no data needed)."),
        LazyCommand("scorecard", "backtest.cli.report", "scorecard_cmd",
                    "Test every playbook claim on the data: statistic, interval and verdict."),
        LazyCommand("compare", "backtest.cli.report", "compare_cmd",
                    "Runs side by side: metrics overall and by regime, parameter and data "
                    "differences."),
        LazyCommand("now", "backtest.cli.now", "now_cmd",
                    "Where we are now: regimes, net liquidity, funding and each strategy's "
                    "targets at the latest session the data describes (STRATEGY adds to "
                    "--strategy)."),
        LazyCommand("forecasts", "backtest.cli.forecasts", "forecasts_cmd",
                    "Score dated forecasts: the move from the close before the anchor to N "
                    "sessions later."),
        LazyCommand("data", "backtest.cli.data", "data_app",
                    "Inspect, download and verify data series."),
    )


app = typer.Typer(
    name="qtbt",
    help="Backtest strategies across Fed balance-sheet regimes (QE, taper, QT, end-of-QT). "
         "Add --traceback anywhere to see the full traceback of an error.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_Root,
)


@app.callback()
def _root() -> None:
    """Commands are registered lazily (:class:`_Root`); the group itself does nothing."""


def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    sys.stderr.write(f"warning: {message}\n")


def _describe_os_error(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return (f"a file is not UTF-8 text ({exc.reason} at byte {exc.start}); pass a CSV or "
                "TOML text file.")
    where = f" {exc.filename!r}" if exc.filename else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    return (f"cannot use{where}: {what}. Check that the path exists, is the right kind "
            "(file or folder) and that you may read or write it.")


def _usage_error(exc: UsageError) -> str:
    """One line for an option error found by the parser, with the help command to run."""
    message = " ".join(exc.format_message().split()).rstrip(".")
    where = exc.ctx.command_path if exc.ctx is not None else "qtbt"
    return f"{message} (see `{where} --help`)."


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one clear message and exit non-zero, no traceback."""
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    args = list(sys.argv[1:] if argv is None else argv)
    full = "--traceback" in args  # anywhere on the line: show user errors with their traceback
    args = [a for a in args if a != "--traceback"]
    try:
        code = app(args=args, prog_name="qtbt", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except NoArgsIsHelpError as exc:  # `qtbt data`: show that group's help
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else "", err=False)
        return 2
    except UsageError as exc:  # unknown option, a value outside a fixed list, ...
        sys.stderr.write(f"error: {_usage_error(exc)}\n")
        return 2
    except typer.Abort:  # Ctrl-C at a prompt
        sys.stderr.write("error: aborted.\n")
        return 1
    except QtbtError as exc:
        if full:
            traceback.print_exception(exc, file=sys.stderr)
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except (OSError, UnicodeDecodeError) as exc:  # unwritable --out, a folder given as a file
        sys.stderr.write(f"error: {_describe_os_error(exc)}\n")
        return 2
    except SystemExit as exc:  # typer's standalone mode exits with the command's code
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        warnings.showwarning = previous
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
