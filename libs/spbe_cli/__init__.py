"""spbe_cli."""
