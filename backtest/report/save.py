"""Write what the report layer renders: HTML pages, a run's report, a whole run folder.

:func:`save_run` is the one call that writes a complete run folder (the data
files of :func:`backtest.runner.write_run` plus ``report.html``, rendered in
the temporary folder before it is renamed into place). The runner never
imports the report layer; the report layer passes its renderer in.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from backtest.data.cache import atomic_write_bytes
from backtest.exceptions import ParameterError, WriteError
from backtest.report.bootstrap import BootstrapSpec
from backtest.report.html import share_plotly, write_plotly_asset
from backtest.report.result import RunResult
from backtest.report.run_report import render_run_report
from backtest.runner.layout import REPORT
from backtest.runner.run import RunOutput
from backtest.runner.rundir import write_run

__all__ = ["check_html_path", "save_run", "write_html", "write_report", "write_run_page"]


def check_html_path(path: str | Path) -> Path:
    """``path`` if it can take an HTML page (``.html``/``.htm``, not a folder).

    Raises
    ------
    ParameterError
        Otherwise, naming the path.
    """
    if not isinstance(path, str | Path) or not str(path).strip():
        raise ParameterError(f"HTML output must be a .html file name, got {path!r}.")
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(f"HTML output must be a .html file, got {str(target)!r}.")
    if target.is_dir():
        raise ParameterError(f"{str(target)!r} is a folder; give a .html file name.")
    return target


def write_html(path: str | Path, text: str) -> Path:
    """Write an HTML page atomically (temp file and rename); returns the path.

    Raises
    ------
    ParameterError
        If ``path`` does not end in ``.html``/``.htm`` or names a folder.
    WriteError
        The page could not be written (disk full, permissions); names ``path``.
    """
    target = check_html_path(path)
    try:
        atomic_write_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        err = WriteError(f"Could not write {target}: {exc.strerror or exc}.")
        err.filename, err.strerror = str(target), exc.strerror or str(exc)
        raise err from None
    return target


def write_report(run_dir: str | Path, out: str | Path | None = None,
                 bootstrap: BootstrapSpec | None = None) -> Path:
    """Render a run directory's report from its saved results and write it.

    Parameters
    ----------
    run_dir : path
        A run directory (see :class:`~backtest.report.RunResult`).
    out : path, optional
        Where to write; default ``run_dir/report.html``, which loads plotly.js
        from the results folder (:func:`~backtest.report.html.share_plotly`);
        a page written elsewhere carries its own inline copy.
    bootstrap : BootstrapSpec, optional
        Interval settings (default: block 20, 1000 resamples, 95 %).

    Returns
    -------
    Path
        The file written.
    """
    result = RunResult.load(run_dir, bootstrap)
    target = Path(out) if out is not None else Path(run_dir) / REPORT
    text = render_run_report(result)
    return write_html(target, text) if out is not None else write_run_page(run_dir, text)


def write_run_page(run_dir: str | Path, text: str) -> Path:
    """Write ``run_dir/report.html`` loading the results folder's shared plotly.js.

    The page first, then the library beside the run folder (if not already
    there), so a failed write leaves no library behind. Returns the page's path.
    """
    path = write_html(Path(run_dir) / REPORT, share_plotly(text, run_dir))
    write_plotly_asset(Path(run_dir).resolve().parent)
    return path


def save_run(out: RunOutput, root: str | Path = "results", run_id: str | None = None,
             command: list[str] | None = None, started_at: dt.datetime | None = None,
             bootstrap: BootstrapSpec | None = None) -> Path:
    """Write a complete run folder, ``report.html`` included; return its path.

    The data files are those of :func:`backtest.runner.write_run`; the report
    is rendered from them before the folder is renamed into place, so the
    folder appears whole or not at all.

    Parameters
    ----------
    out : RunOutput
        What :func:`backtest.runner.run` returned.
    root : path
        Parent folder of run directories (default ``results``).
    run_id : str, optional
        Folder name (default ``<strategy>_<UTC time>_<config hash 8>``).
    command : list of str, optional
        The command line recorded in the manifest (default ``sys.argv``).
    started_at : datetime, optional
        Start time recorded in the manifest (default now, UTC).
    bootstrap : BootstrapSpec, optional
        Interval settings of the report.

    Raises
    ------
    ParameterError
        A run id that is not a plain name, or a run directory that exists.
    WriteError
        A file could not be written (names the run directory).
    """
    def render(folder: Path) -> None:
        write_report(folder, bootstrap=bootstrap)

    return write_run(out, root, run_id, command=command, started_at=started_at, render=render)
