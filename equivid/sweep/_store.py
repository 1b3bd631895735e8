"""The row log: one JSON object per line, appended and fsynced as rows arrive; resume; Parquet."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from .._files import open_append, refuse_special, replacing
from ..errors import SpecError

__all__ = ["RowLog", "OutputLock", "read_rows", "log_path", "lock_path", "write_parquet"]

#: Columns that hold timing; leave them out when comparing rows of two runs.
TIMING = ("seconds",)
#: Columns with nested lists or objects: JSON text in Parquet.
NESTED = ("lie_algebra", "discrete", "verify")


def log_path(output: Path) -> Path:
    """The JSONL file rows stream to: the output itself, or ``OUT.parquet.jsonl`` beside a Parquet one."""
    return output if output.suffix == ".jsonl" else output.with_name(output.name + ".jsonl")


def lock_path(output: Path) -> Path:
    """The lock file of an output: ``OUT.lock`` beside it."""
    return output.with_name(output.name + ".lock")


class OutputLock:
    """An exclusive, non-blocking ``flock`` on ``OUT.lock`` for a sweep's lifetime.

    A second sweep on the same output (in this process or another) is refused with a
    :class:`SpecError` (exit status 2) naming the holder's pid. The lock file is removed
    on release; a sweep that was killed leaves it behind, harmlessly (the kernel drops
    the lock with the process, and the next sweep takes it).
    """

    def __init__(self, output: Path) -> None:
        self.path = lock_path(output)
        self._fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock (Windows): no lock
            return
        for _ in range(10):  # the file may be removed by a releasing holder between open and lock
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                os.close(fd)
                raise SpecError("--output", str(output), "an output no other sweep is writing",
                                detail=f"another equivid sweep{f' (pid {holder})' if holder.isdigit() else ''} "
                                f"holds {self.path.name}; wait for it to finish or choose another output") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
                self._fd = fd
                return
            os.close(fd)
        raise SpecError("--output", str(output), "an output no other sweep is writing",
                        detail=f"{self.path.name} keeps changing")  # pragma: no cover

    def _open(self) -> int:
        refuse_special(self.path, "--output")
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags, 0o666)
        except OSError as exc:
            raise SpecError("--output", str(self.path), "a lock file in a writable folder",
                            detail=exc.strerror or type(exc).__name__) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SpecError("--output", str(self.path), "a regular lock file", detail="choose another output")
        return fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                self.path.unlink(missing_ok=True)  # while still holding it: the next sweep locks a new file
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_rows(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The complete rows of a sweep's output (JSONL or Parquet); a trailing partial line is skipped,
    and a key written more than once counts once: its first ``ok`` row, else (every row of it an
    error, e.g. a task retried with ``--retry-errors`` that failed again) its last row.

    Parameters
    ----------
    path : str or os.PathLike
        The output: ``.parquet`` (needs pyarrow), else JSONL.

    Returns
    -------
    list of dict
        The rows, in file order.

    Raises
    ------
    SpecError
        If the path is not a regular file (a device, FIFO, directory or symlink) or a
        complete line is not a sweep row.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "rows.jsonl"
    ...     _ = path.write_text('{"key": "a", "status": "ok"}\\n{"key": "a", "status": "error"}\\n{"key": "b", "sta')
    ...     rows = read_rows(path)
    >>> rows
    [{'key': 'a', 'status': 'ok'}]
    """
    path = Path(path)
    refuse_special(path, "--output")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        rows = [{k: (json.loads(v) if k in NESTED else v) for k, v in row.items()} for row in rows]
    else:
        rows, _ = _scan(path)
    return _unique(rows)


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per key, at the place of its first row: the first ``ok`` row, else the last
    row (an error retried is replaced by its retry; a finished row is never replaced)."""
    chosen: dict[Any, dict[str, Any]] = {}  # in the order keys first appear
    for row in rows:
        key = row.get("key")
        if key not in chosen or chosen[key].get("status") == "error":
            chosen[key] = row
    return list(chosen.values())


def _scan(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The complete rows and the byte length they occupy (everything after is a torn last line)."""
    rows, end = [], 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):  # a last line without its newline was cut off mid-write
                break
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict) or not isinstance(row.get("key"), str):
                raise SpecError("--output", str(path), "a sweep's JSONL rows (one JSON object with a key per line)",
                                detail=f"line {number} is not a sweep row; choose another output")
            rows.append(row)
            end += len(line)
    return rows, end


class RowLog:
    """Append-only JSONL rows of one sweep.

    Opening reads the rows already there: their keys are the finished tasks (a key
    written twice counts once, as :func:`read_rows` reads it). A key whose row is an error
    may be written again (a retry, ``--retry-errors``); a key with an ``ok`` row never is. Rows whose
    key the sweep does not know mean the file belongs to another sweep: refused unless
    ``force``. A torn last line (a write cut off by a kill) is cut away; nothing else in
    the file is ever changed.
    """

    def __init__(self, path: Path, keys: Iterable[str], *, force: bool = False) -> None:
        self.path = path
        self.done: set[str] = set()
        self.errors: set[str] = set()
        self._file: IO[str] | None = None
        if not refuse_special(path, "--output"):  # never read or append through a device, FIFO, symlink
            return
        rows, end = _scan(path)
        known = set(keys)
        foreign = [row["key"] for row in rows if row["key"] not in known]
        if foreign and not force:
            raise SpecError("--output", str(path), "an output of this sweep (or a new file; --force appends anyway)",
                            detail=f"{len(foreign)} of its {len(rows)} rows are not tasks of this sweep")
        self.done = {row["key"] for row in rows}
        self.errors = {row["key"] for row in _unique(rows) if row.get("status") == "error"}
        if end < path.stat().st_size:
            with open(path, "r+b") as handle:
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())

    def append(self, row: dict[str, Any]) -> None:
        """Write one row as one line, flushed and fsynced before returning."""
        if row["key"] in self.done and row["key"] not in self.errors:  # finished (the lock prevents a second writer)
            return
        if self._file is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SpecError("--output", str(self.path), "a path in a writable folder",
                                detail=exc.strerror or type(exc).__name__) from None
            self._file = open_append(self.path, field="--output")  # closed in close()
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.done.add(row["key"])
        if row.get("status") == "error":
            self.errors.add(row["key"])
        else:
            self.errors.discard(row["key"])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_parquet(rows: Sequence[dict[str, Any]], output: Path) -> None:
    """Write rows as a Parquet table, atomically (a temporary file, then a rename).

    Nested columns (``lie_algebra``, ``discrete``, ``verify``) are stored as JSON text.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = sorted({k for row in rows for k in row})
    table = pa.Table.from_pylist(
        [{k: (json.dumps(row.get(k)) if k in NESTED else row.get(k)) for k in columns} for row in rows]
    )
    with replacing(output, force=True, field="--output", suffix=".parquet") as temporary:
        pq.write_table(table, temporary)
