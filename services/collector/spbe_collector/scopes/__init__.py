"""Named scan scopes: what may be scanned, for which OPD, how and when."""
