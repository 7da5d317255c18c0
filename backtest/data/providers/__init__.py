"""Data providers: local snapshot, FRED, Yahoo, Ken French."""
