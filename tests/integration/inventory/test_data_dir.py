"""An unusable data directory is one clear error naming the path and the cause, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SPBE = Path(sys.executable).with_name("spbe")


def test_spbe_up_on_a_data_dir_that_cannot_be_created_names_the_path_and_the_cause(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "SPBE_DATA_DIR": str(blocker / "spbe")}
    done = subprocess.run([SPBE, "up"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"error: data directory {blocker / 'spbe'} cannot be written: Not a directory"
        " (set SPBE_DATA_DIR to a writable folder)"
    )
    assert "Traceback" not in done.stderr
