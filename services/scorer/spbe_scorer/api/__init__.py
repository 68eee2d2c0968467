"""The scorer API: `spbe_scorer.api.app.create_app`, request dependencies in `deps`."""
