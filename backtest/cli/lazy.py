"""Commands registered by name and imported on first use, so ``qtbt --help`` stays light.

Typer builds every command from its function's signature, and those signatures
live in modules that import pandas, the data layer or the sweep engine. The
root group therefore knows each command only as a :class:`LazyCommand` (its
module, the attribute holding the function or sub-app, and the one line shown
by ``qtbt --help``) and imports the module when the command is resolved: for
``qtbt run ...`` only ``backtest.cli.run`` is imported, never the sweep path.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer >= 0.26 ships its own copy of click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer on plain click
    import click  # type: ignore[no-redef]

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True)
class LazyCommand:
    """A command of the root group, imported when it is run or its own help is asked for.

    Attributes
    ----------
    name : str
        The command name (``qtbt NAME``).
    module : str
        The module defining it, imported on first use.
    attr : str
        The attribute of ``module``: a command function, or a ``typer.Typer`` sub-app.
    summary : str
        The line ``qtbt --help`` shows; the same as the command's own first help line
        (a test compares them).
    """

    name: str
    module: str
    attr: str
    summary: str

    def load(self, group: TyperGroup) -> click.Command:
        """Import the module and build the click command as typer would have."""
        target = getattr(importlib.import_module(self.module), self.attr)
        holder = typer.Typer(rich_markup_mode=group.rich_markup_mode)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=self.name)
        else:
            holder.command(self.name)(target)
        holder.callback()(_no_callback)  # a callback: typer always builds a group
        return typer.main.get_group(holder).commands[self.name]


def _no_callback() -> None:
    """The callback of the holder group :meth:`LazyCommand.load` builds (does nothing)."""


class LazyGroup(TyperGroup):
    """The root ``qtbt`` group: commands of :attr:`lazy` are imported on first use.

    While the root's own help is written, each lazy command is shown by a
    placeholder carrying its summary, so listing commands imports none of them.
    """

    lazy: Sequence[LazyCommand] = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False

    def _lazy(self, name: str) -> LazyCommand | None:
        return next((c for c in self.lazy if c.name == name), None)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Eagerly registered commands, then the lazy ones in their declared order."""
        return [*super().list_commands(ctx), *(c.name for c in self.lazy
                                               if c.name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, imported now if it is lazy (a placeholder when listing)."""
        found = super().get_command(ctx, cmd_name)
        found = None if isinstance(found, _Pending) else found
        spec = self._lazy(cmd_name)
        if found is not None or spec is None:
            return found
        if self._listing:
            return TyperCommand(spec.name, help=spec.summary)
        self.commands[cmd_name] = spec.load(self)
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The root's help: every command's summary, no command module imported."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        """As typer's, with the lazy names among the "Did you mean" suggestions."""
        for spec in self.lazy:  # typer suggests from self.commands: offer every name
            self.commands.setdefault(spec.name, _Pending(spec.name))
        try:
            return super().resolve_command(ctx, args)
        finally:
            for name in [n for n, c in self.commands.items() if isinstance(c, _Pending)]:
                del self.commands[name]


class _Pending(TyperCommand):
    """Stands in for an unloaded command while typer matches a name against the list."""
