r"""Self-contained HTML pages: escaped tables, embedded plotly charts, one stylesheet.

A page carries exactly one inline copy of plotly.js (no CDN, no network:
it opens offline) and one ``<div>`` plus a ``Plotly.newPlot`` call per
figure. A page written into a run folder shares instead the results
folder's one copy of plotly.js (:func:`share_plotly`: a content-addressed
``plotly-<sha256>.min.js`` beside the run folders, loaded by relative path,
still offline from disk), which takes 4.6 MB off every report. Figure
JSON is made safe inside ``<script>`` by escaping ``<``, ``>`` and ``&`` as
``\u003c``, ``\u003e``, ``\u0026``. Every other piece of text goes through
:func:`esc` (``html.escape``). Nothing here is time-dependent, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtest.data.cache import atomic_write_bytes

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = [
    "Cell",
    "esc",
    "figure_html",
    "json_block",
    "kv_table",
    "missing_block",
    "notice",
    "page",
    "plotly_asset",
    "section",
    "share_plotly",
    "table",
    "write_plotly_asset",
]

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_PLOT_CONFIG = {"responsive": True, "displaylogo": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

_CSS = """
:root { --fg: #1d2733; --muted: #5f6b7a; --line: #d9dee5; --bg: #ffffff; --band: #f5f7fa;
        --accent: #1f4e9c; --warn-bg: #fff6e0; --warn-line: #e0a800; --good: #2e7d32;
        --bad: #c62828; --neutral: #616161; --diff: #fff1c2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header.top { padding: 20px 32px 12px; border-bottom: 1px solid var(--line);
             background: var(--band); }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top .sub { color: var(--muted); }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin-top: 26px; }
h2 { font-size: 18px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.note, .caption { color: var(--muted); font-size: 12.5px; margin: 4px 0 8px; }
.notice { border-left: 4px solid var(--warn-line); background: var(--warn-bg);
          padding: 8px 12px; margin: 12px 0; }
.notice ul { margin: 4px 0; padding-left: 20px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0 10px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left;
         white-space: nowrap; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
thead tr.group th { text-align: center; border-bottom: 1px solid #b8c0cc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
span.ci { color: var(--muted); font-size: 11px; }
tr.first td { border-top: 2px solid #b8c0cc; }
tr.warn td { background: #fffaf0; }
tr.diff td { background: var(--diff); }
td.wrap { white-space: normal; max-width: 520px; }
.v-supported { color: var(--good); font-weight: 600; }
.v-contradicted { color: var(--bad); font-weight: 600; }
.v-inconclusive { color: var(--neutral); font-weight: 600; }
.v-no-data { color: var(--neutral); font-style: italic; }
.figure { width: 100%; min-height: 300px; }
pre { background: var(--band); border: 1px solid var(--line); padding: 8px 10px;
      font-size: 12px; overflow-x: auto; max-height: 420px; }
code { font-size: 12px; }
footer { margin-top: 36px; padding: 12px 32px; border-top: 1px solid var(--line);
         color: var(--muted); font-size: 12px; }
"""


def esc(value: Any) -> str:
    """HTML-escaped text of any value (quotes too)."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Cell:
    """One table cell: text (escaped on output), alignment and an optional class.

    ``note`` is shown after the text in small muted type (an interval, say).
    """

    text: str
    num: bool = False
    cls: str = ""
    colspan: int = 1
    note: str = ""

    def render(self, tag: str = "td") -> str:
        """The ``<td>``/``<th>`` element."""
        classes = " ".join(c for c in ("num" if self.num else "", self.cls) if c)
        attrs = f' class="{classes}"' if classes else ""
        if self.colspan > 1:
            attrs += f' colspan="{self.colspan}"'
        note = f' <span class="ci">{esc(self.note)}</span>' if self.note else ""
        return f"<{tag}{attrs}>{esc(self.text)}{note}</{tag}>"


def _cell(c: Cell | str) -> Cell:
    return c if isinstance(c, Cell) else Cell(c)


def table(headers: Sequence[Cell | str], rows: Sequence[Sequence[Cell | str]],
          row_classes: Sequence[str] | None = None,
          groups: Sequence[Cell] | None = None) -> str:
    """An HTML table; every cell's text is escaped.

    Parameters
    ----------
    headers : sequence
        Column headers (``Cell`` or text).
    rows : sequence of sequences
        Cells per row.
    row_classes : sequence of str, optional
        CSS class per row (``warn``, ``diff``, ``first``).
    groups : sequence of Cell, optional
        A header row above ``headers`` (cells with ``colspan``).
    """
    head = ""
    if groups:
        head += '<tr class="group">' + "".join(g.render("th") for g in groups) + "</tr>"
    head += "<tr>" + "".join(_cell(h).render("th") for h in headers) + "</tr>"
    body = []
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes is not None and row_classes[i] else ""
        attr = f' class="{esc(cls)}"' if cls else ""
        body.append(f"<tr{attr}>" + "".join(_cell(c).render() for c in row) + "</tr>")
    return (f'<div class="scroll"><table><thead>{head}</thead><tbody>{"".join(body)}'
            "</tbody></table></div>")


def kv_table(items: Mapping[str, Any]) -> str:
    """Two-column key/value table (values shown as compact JSON when not text)."""
    rows = []
    for k, v in items.items():
        text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
        rows.append([Cell(str(k)), Cell(text, cls="wrap")])
    return table(["key", "value"], rows)


def json_block(value: Any) -> str:
    """Pretty, sorted JSON in an escaped ``<pre>`` block."""
    return f"<pre>{esc(json.dumps(value, indent=2, sort_keys=True, default=str))}</pre>"


def notice(items: Sequence[str], title: str = "Read with care") -> str:
    """A highlighted box listing warnings (nothing when there are none)."""
    if not items:
        return ""
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<div class="notice"><strong>{esc(title)}</strong><ul>{lis}</ul></div>'


def missing_block(metrics: Mapping[str, Any], key: str, what: str) -> str | None:
    """Why a run's ``metrics[key]`` block cannot be shown, as a notice; None when it can.

    A run written before the block existed has none; a block the run could
    not compute holds ``{"unavailable": why}``. ``what`` names it in plain
    words (``factor attribution``).
    """
    block = metrics.get(key)
    title = f"No {what}"
    if block is None:
        return notice([f"This run was written before {what} existed; run it again to see it."],
                      title=title)
    if "unavailable" in block:
        return notice([f"{what[0].upper()}{what[1:]} unavailable: {block['unavailable']}"],
                      title=title)
    return None


def section(anchor: str, title: str, body: str, intro: str = "") -> str:
    """A titled ``<section>`` with an anchor for the navigation bar."""
    if not _ID.match(anchor):
        raise ValueError(f"section anchor {anchor!r} must be lowercase letters, digits and '-'.")
    p = f'<p class="note">{esc(intro)}</p>' if intro else ""
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{p}{body}</section>'


def _safe_json(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_html(fig: Figure, div_id: str) -> str:
    """A ``<div>`` and the script that draws ``fig`` into it (plotly.js loaded by the page)."""
    import plotly.io as pio

    if not _ID.match(div_id):
        raise ValueError(f"figure id {div_id!r} must be lowercase letters, digits and '-'.")
    spec = _safe_json(pio.to_json(fig, validate=False, pretty=False, engine="json"))
    cfg = json.dumps(_PLOT_CONFIG, sort_keys=True)
    return (f'<div id="{div_id}" class="figure"></div>\n'
            f'<script>(function(){{var f={spec};if(!window.Plotly)return;'
            f'Plotly.newPlot("{div_id}",f.data,f.layout,{cfg});}})();</script>')


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def plotly_asset() -> tuple[str, bytes]:
    """The shared chart library: file name ``plotly-<sha256 16 hex>.min.js`` and its bytes.

    The name changes with the content, so pages written by different plotly
    versions can share one results folder without loading the wrong copy.
    """
    data = _plotly_js().encode("utf-8")
    return f"plotly-{hashlib.sha256(data).hexdigest()[:16]}.min.js", data


def share_plotly(text: str, page_dir: str | Path, asset_dir: str | Path | None = None) -> str:
    """``text`` loading plotly.js from ``asset_dir`` by relative path instead of inline.

    Parameters
    ----------
    text : str
        A page made by :func:`page` (one inline copy of plotly.js).
    page_dir : path
        The folder the page will be written to (the relative path starts there).
    asset_dir : path, optional
        Where the shared copy lives; default the parent of ``page_dir`` (a run
        folder's results folder, shared by every run in it). Write it there with
        :func:`write_plotly_asset`.

    Returns
    -------
    str
        The page with ``<script src="../plotly-….min.js">``. If the library cannot
        be loaded (the run folder was moved on its own), the page says how to fix it.
    """
    inline = f"<script>{_plotly_js()}</script>"
    if text.count(inline) != 1:
        raise ValueError("share_plotly takes a page made by page(): one inline plotly.js.")
    here = Path(page_dir).resolve()
    folder = Path(asset_dir).resolve() if asset_dir is not None else here.parent
    src = Path(os.path.relpath(folder / plotly_asset()[0], here)).as_posix()
    missing = (f"Charts need {src}, the chart library shared by the run folders of a results "
               "folder. Open this page inside its results folder, or run `qtbt report RUN_DIR` "
               "to write it again.")
    on_error = ("document.addEventListener('DOMContentLoaded',function(){var m=document."
                "createElement('p');m.className='notice';m.textContent="
                f"{json.dumps(missing)};document.body.prepend(m);}})")
    return text.replace(inline, f'<script src="{esc(src)}" onerror="{esc(on_error)}"></script>')


def write_plotly_asset(asset_dir: str | Path) -> Path:
    """Write the shared plotly.js into ``asset_dir`` unless an identical copy is there.

    Returns
    -------
    Path
        The file (``plotly-<sha256 16 hex>.min.js``); a damaged copy is replaced
        atomically.
    """
    name, data = plotly_asset()
    asset = Path(asset_dir) / name
    if not (asset.is_file() and hashlib.sha256(asset.read_bytes()).digest()
            == hashlib.sha256(data).digest()):
        atomic_write_bytes(asset, data)
    return asset


def page(title: str, subtitle: str, nav: Sequence[tuple[str, str]], body: str,
         footer: str) -> str:
    """A complete, self-contained HTML document.

    Parameters
    ----------
    title, subtitle : str
        Heading and the line under it (escaped).
    nav : sequence of (anchor, label)
        Links to the page's sections.
    body : str
        Sections (already HTML).
    footer : str
        Footer text (escaped).
    """
    links = "".join(f'<a href="#{esc(a)}">{esc(lbl)}</a>' for a, lbl in nav)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n"
        f"<script>{_plotly_js()}</script>\n</head>\n<body>\n"
        f'<header class="top"><h1>{esc(title)}</h1><div class="sub">{esc(subtitle)}</div>'
        f"</header>\n<nav>{links}</nav>\n<main>\n{body}\n</main>\n"
        f"<footer>{esc(footer)}</footer>\n</body>\n</html>\n"
    )
