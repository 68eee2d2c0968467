"""Application probes: fetch each URL (get) and turn the raw response into ApplicationObserved."""
