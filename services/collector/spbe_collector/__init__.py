"""spbe_collector."""
