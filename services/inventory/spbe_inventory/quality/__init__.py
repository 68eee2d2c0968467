"""Inventory quality: figures per OPD computed from the catalogue, exported to Prometheus."""
