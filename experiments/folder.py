"""The results folder of an experiment on disk: atomic writes, clear messages for I/O errors
(full disk, no permission), the folder's state.json and the OS lock that lets one process at a
time work on it (used by experiments/store.py)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.experiments.spec import ExperimentError

TOOL = "werklandschap experiment"
LOCK_NAME = "lock"
TMP_SUFFIX = ".tmp"


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")


def io_error(exc: OSError, path: Path, needed: int = 0) -> ExperimentError:
    """One-line ExperimentError for a failed write (full disk: the folder and space needed)."""
    folder = path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = 0
        return ExperimentError(
            f"no space left on the device of {folder}: writing {path.name} needs about "
            f"{max(needed, 1) / 1e6:.1f} MB, {free / 1e6:.1f} MB free; free some space and "
            "run the same command again (finished runs are kept)"
        )
    return ExperimentError(f"cannot write {path}: {exc.strerror or exc}")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old or the new content, never a partial one.

    On any failure the temporary file is removed, so a full disk is not kept full by our own
    leftovers; an OSError becomes one ExperimentError message (see `io_error`).
    """
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    tmp = _tmp_name(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise io_error(exc, path, len(payload)) from None
        raise


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _read_state(folder: Path) -> dict[str, Any] | None:
    """state.json of a folder this tool wrote, or None (no marker, unreadable, or foreign)."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    # Older folders have no "tool" entry; their state.json is recognised by its own keys.
    legacy = {"hash", "sessions", "name", "git_commit"} <= set(state)
    return state if state.get("tool") == TOOL or legacy else None


class _FolderLock:
    """An exclusive, non-blocking OS lock on `folder/lock`, held until `release()`.

    flock locks belong to the open file, so the OS drops it when the process dies (even by
    SIGKILL): a stale lock never blocks a resume.
    """

    def __init__(self, folder: Path, name: str) -> None:
        path = folder / LOCK_NAME
        self.handle = open(path, "a+")  # noqa: SIM115 - held open for the whole session
        try:
            _lock(self.handle)
        except OSError:
            self.handle.seek(0)
            holder = self.handle.read().strip()[:20]
            self.handle.close()
            raise ExperimentError(
                f"{folder} is in use by another werklandschap process"
                + (f" (pid {holder})" if holder.isdigit() else "")
                + f"; wait until it ends, or stop it, before running {name!r} again"
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()

    def release(self) -> None:
        if not self.handle.closed:
            self.handle.close()  # closing the file releases the lock


def _lock(handle: Any) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
