"""Publishing OPD registers as declared events; reading them is `spbe_common.registers`."""
