"""The README's examples are executed, so they cannot rot.

Every fenced ```python block runs in a fresh namespace, and every ``$ qtbt ...`` line of a
```console block runs through the CLI entry point and must exit 0. Both run from a scratch
checkout folder whose ``../shared/data`` is the real snapshot and which holds the repository's
``examples/``, exactly as a user in a checkout beside ``shared/`` would type them. A python or toml
block whose first line is ``# file: NAME`` is also written to ``NAME`` in that folder first (the
README's "write this file, then run it" steps; toml blocks are only written).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO

README = REPO / "README.md"
_FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)
_FILE = re.compile(r"# file: (\S+)\n")


def _blocks(kind: str) -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(2))
            for m in _FENCE.finditer(text) if m.group(1) == kind]


def _commands() -> list[tuple[int, str]]:
    out = []
    for line_no, body in _blocks("console"):
        for k, line in enumerate(body.splitlines()):
            if line.startswith("$ qtbt "):
                out.append((line_no + 1 + k, line[2:]))
    return out


@pytest.fixture
def beside_shared(tmp_path: Path, snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with ``../shared/data`` pointing at the snapshot."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(snapshot_dir, target_is_directory=True)
    work = tmp_path / "checkout"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    for _, code in [*_blocks("python"), *_blocks("toml")]:
        named = _FILE.match(code)
        if named:
            (work / named.group(1)).write_text(code, encoding="utf-8")
    monkeypatch.chdir(work)
    monkeypatch.setenv("QTBT_DATA_DIR", os.path.relpath(snapshot_dir, work))
    return work


def test_readme_has_examples() -> None:
    assert len(_blocks("python")) >= 3
    assert len(_commands()) >= 3


@pytest.mark.slow
@pytest.mark.parametrize(("line", "code"), _blocks("python"), ids=lambda v: str(v)[:12])
def test_python_example_runs(line: int, code: str, beside_shared: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"README_line_{line}"}
    exec(compile(code, f"README.md:{line}", "exec"), namespace)


@pytest.mark.slow
@pytest.mark.parametrize(("line", "command"), _commands(), ids=lambda v: str(v)[:40])
def test_console_example_runs(line: int, command: str, beside_shared: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.cli import main

    argv = shlex.split(command)[1:]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, f"README.md:{line}: `{command}` exited {code}: {err}"
