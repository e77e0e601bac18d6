"""File output that survives interruption: atomic writes and output-directory checks.

Every result the package writes (checkpoints, metrics, JSON reports, figures) goes through
:func:`atomic_write`, so a run killed at any moment leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable
from typing import Any


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, write: Callable[[Any], None]) -> None:
    """Create or replace ``path`` atomically: ``write(f)`` fills a temporary file in the same
    directory, which is flushed, fsynced and renamed over ``path`` (``os.replace``). Readers see
    the old or the new file, never a partial one; a failure leaves the old file untouched."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # mode honours the umask
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def atomic_write_bytes(path: str, data: bytes) -> None:
    """:func:`atomic_write` of a bytes payload."""
    atomic_write(path, lambda f: f.write(data))


def atomic_write_json(path: str, obj: Any) -> None:
    """:func:`atomic_write` of ``obj`` as indented, key-sorted JSON (UTF-8, trailing newline)."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def check_out_dir(out_dir) -> str:
    """Create ``out_dir`` if needed and prove it writable; ValueError naming ``out`` otherwise."""
    try:
        path = os.fspath(out_dir)
    except TypeError:
        raise ValueError(f"Argument `out` must be a directory path, got {out_dir!r}.") from None
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ValueError(f"Argument `out` must be a writable directory, got {path!r} ({err.strerror or err}).") from None
    return path
