"""spbe_inventory."""
