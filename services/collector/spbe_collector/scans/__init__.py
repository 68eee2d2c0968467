"""Network scans with nmap: plan chunks, build argv, run (get), parse (transform), publish."""
