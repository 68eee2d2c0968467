"""The review queue of what scans find: accept, merge (and un-merge) or ignore."""
