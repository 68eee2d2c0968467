from pathlib import Path

import pytest

from spbe_collector.scans.lock import ScanAlreadyRunning, scan_lock


def test_second_scan_of_the_same_scope_is_refused(tmp_path: Path) -> None:
    with scan_lock(tmp_path, "dinkes-lan"):
        with (
            pytest.raises(ScanAlreadyRunning, match="dinkes-lan"),
            scan_lock(tmp_path, "dinkes-lan"),
        ):
            pass
        with scan_lock(tmp_path, "bapenda-lan"):  # another scope is independent
            pass
    with scan_lock(tmp_path, "dinkes-lan"):  # released after the first scan
        pass


def test_lock_file_held_by_another_holder_is_refused(tmp_path: Path) -> None:
    import fcntl
    import os

    tmp_path.mkdir(exist_ok=True)
    fd = os.open(tmp_path / "scan-dpmptsp-lan.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another process would
    try:
        with (
            pytest.raises(ScanAlreadyRunning, match="already running"),
            scan_lock(tmp_path, "dpmptsp-lan"),
        ):
            pass
    finally:
        os.close(fd)
    with scan_lock(tmp_path, "dpmptsp-lan"):
        pass
