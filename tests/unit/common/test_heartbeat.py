"""The heartbeat file: written atomically, at most once per interval, gone until the first beat."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from spbe_common.heartbeat import Heartbeat
from spbe_common.settings import BusSettings


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_beat_writes_the_file_whole_and_leaves_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "run" / "heartbeat"
    Heartbeat(path).beat()
    assert " pid " in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["heartbeat"]


def test_beats_are_written_at_most_once_per_interval(tmp_path: Path) -> None:
    path, ticks = tmp_path / "heartbeat", Ticks()
    heartbeat = Heartbeat(path, every_s=5, clock=ticks)
    assert heartbeat.due()
    heartbeat.beat()
    path.unlink()  # shows whether the next beats write
    ticks.now += 4.9
    assert not heartbeat.due()
    heartbeat.beat()
    assert not path.exists()
    ticks.now += 0.1
    assert heartbeat.due()
    heartbeat.beat()
    assert path.exists()


def test_the_previous_process_file_is_removed_at_start(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    path.write_text("written by the container before the restart\n")
    Heartbeat(path)
    assert not path.exists()


def test_an_unwritable_heartbeat_is_a_warning_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("")
    with caplog.at_level(logging.WARNING):
        Heartbeat(tmp_path / "file" / "heartbeat").beat()
    assert "not written" in caplog.text


def test_off_unless_the_setting_names_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPBE_HEARTBEAT_FILE", raising=False)
    assert Heartbeat.from_settings(BusSettings(_env_file=None)) is None
    monkeypatch.setenv("SPBE_HEARTBEAT_FILE", str(tmp_path / "hb"))
    heartbeat = Heartbeat.from_settings(BusSettings(_env_file=None))
    assert heartbeat is not None and heartbeat.path == tmp_path / "hb"
