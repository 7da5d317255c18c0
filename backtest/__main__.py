"""``python -m backtest`` runs the ``qtbt`` CLI."""

import sys

from backtest.cli import main

sys.exit(main())
