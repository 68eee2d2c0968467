"""Scan requests: a person asks (through the inventory) for a scan of a scope now."""
