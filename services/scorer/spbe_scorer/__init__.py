"""spbe_scorer."""
