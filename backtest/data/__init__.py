"""Data layer: catalog, providers, cache, point-in-time panel."""
