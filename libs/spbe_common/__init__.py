"""spbe_common."""
