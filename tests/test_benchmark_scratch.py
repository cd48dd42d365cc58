"""Benchmark scratch folders: a folder made for a run is removed, a named one is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scratch import scratch_dir


def test_a_folder_made_for_the_run_is_removed_afterwards() -> None:
    with scratch_dir(None, "chipbot-test-scratch-") as work:
        (work / "index.bin").write_bytes(b"x" * 1024)
        assert work.is_dir()
    assert not work.exists()


def _fail_inside(seen: list[Path]) -> None:
    with scratch_dir(None, "chipbot-test-scratch-") as work:
        seen.append(work)
        (work / "index.bin").write_bytes(b"x")
        raise RuntimeError("benchmark failed")


def test_a_folder_made_for_the_run_is_removed_when_the_run_fails() -> None:
    seen: list[Path] = []
    with pytest.raises(RuntimeError, match="benchmark failed"):
        _fail_inside(seen)
    assert not seen[0].exists()


def test_a_named_folder_is_created_and_kept(tmp_path: Path) -> None:
    named = tmp_path / "work"
    with scratch_dir(named, "chipbot-test-scratch-") as work:
        (work / "index.bin").write_bytes(b"x")
    assert work == named
    assert (named / "index.bin").exists()
