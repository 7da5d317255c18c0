"""Named exceptions and warnings of qtbt, each with an actionable message.

Every error a user can cause derives from :class:`QtbtError`; the CLI turns
these into a one-paragraph message and a non-zero exit code, never a
traceback.
"""

from __future__ import annotations

__all__ = [
    "CacheCorruptError",
    "ChecksumMismatchWarning",
    "ClassifierDisagreementWarning",
    "ConfigError",
    "DataFormatError",
    "DataGapWarning",
    "EmptyRangeError",
    "NetworkError",
    "ParameterError",
    "QtbtError",
    "QtbtWarning",
    "SeriesNotAvailableError",
    "StaleCacheWarning",
    "StaleSeriesWarning",
    "StrategyError",
    "UnknownSeriesError",
    "UnverifiedDataWarning",
    "WriteError",
]


class QtbtError(Exception):
    """Base class of every error qtbt raises for bad input or unavailable data."""


class UnknownSeriesError(QtbtError, KeyError):
    """A series id that the catalog does not know."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class SeriesNotAvailableError(QtbtError):
    """A known series that no configured source can provide."""


class DataFormatError(QtbtError, ValueError):
    """A data file that does not parse (names the file and the line)."""


class EmptyRangeError(QtbtError, ValueError):
    """A date range that holds no data."""


class NetworkError(QtbtError):
    """A download failed after bounded retries and no cache could stand in."""


class CacheCorruptError(QtbtError):
    """A cache file whose content does not match its recorded checksum."""


class ParameterError(QtbtError, ValueError):
    """A parameter value outside what is allowed."""


class StrategyError(QtbtError):
    """A user's strategy code raised: names the strategy, its file and line (cause chained)."""


class ConfigError(QtbtError, ValueError):
    """A configuration or events file that is malformed."""


class WriteError(QtbtError, OSError):
    """Results could not be written (disk full, no permission); names the path meant."""


class QtbtWarning(UserWarning):
    """Base class of qtbt warnings."""


class StaleCacheWarning(QtbtWarning):
    """The network failed and a cached copy was used instead."""


class ChecksumMismatchWarning(QtbtWarning):
    """A snapshot file differs from the checksum in its folder's manifest."""


class StaleSeriesWarning(QtbtWarning):
    """A series ends before the requested range does; values were carried forward."""


class DataGapWarning(QtbtWarning):
    """A series has a gap between observations longer than its frequency allows."""


class UnverifiedDataWarning(QtbtWarning):
    """A snapshot file was read that no manifest entry could verify."""


class ClassifierDisagreementWarning(QtbtWarning):
    """Another regime classifier sees a different number of episodes of a regime."""
