"""`python -m spbe_cli` is `spbe`."""

from spbe_cli.main import app

app()
