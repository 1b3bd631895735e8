"""The row log: one JSON object per line, appended and fsynced as rows arrive; resume; Parquet."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import SpecError

__all__ = ["RowLog", "read_rows", "log_path", "write_parquet"]

#: Columns that hold timing; leave them out when comparing rows of two runs.
TIMING = ("seconds",)
#: Columns with nested lists or objects: JSON text in Parquet.
NESTED = ("lie_algebra", "discrete", "verify")


def log_path(output: Path) -> Path:
    """The JSONL file rows stream to: the output itself, or ``OUT.parquet.jsonl`` beside a Parquet one."""
    return output if output.suffix == ".jsonl" else output.with_name(output.name + ".jsonl")


def read_rows(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The complete rows of a sweep's output (JSONL or Parquet); a trailing partial line is skipped.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
    >>> _ = path.write_text('{"key": "a", "status": "ok"}\\n{"key": "b", "sta')
    >>> read_rows(path)
    [{'key': 'a', 'status': 'ok'}]
    """
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        return [{k: (json.loads(v) if k in NESTED else v) for k, v in row.items()} for row in rows]
    rows, _ = _scan(path)
    return rows


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

    Opening reads the rows already there: their keys are the finished tasks. Rows whose
    key the sweep does not know mean the file belongs to another sweep: refused unless
    ``force``. A torn last line (a write cut off by a kill) is cut away; nothing else in
    the file is ever changed.
    """

    def __init__(self, path: Path, keys: Iterable[str], *, force: bool = False) -> None:
        self.path = path
        self.done: set[str] = set()
        self.errors: set[str] = set()
        self._file: IO[str] | None = None
        if not path.exists():
            return
        rows, end = _scan(path)
        known = set(keys)
        foreign = [row["key"] for row in rows if row["key"] not in known]
        if foreign and not force:
            raise SpecError("--output", str(path), "an output of this sweep (or a new file; --force appends anyway)",
                            detail=f"{len(foreign)} of its {len(rows)} rows are not tasks of this sweep")
        self.done = {row["key"] for row in rows}
        self.errors = {row["key"] for row in rows if row.get("status") == "error"}
        if end < path.stat().st_size:
            with open(path, "r+b") as handle:
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())

    def append(self, row: dict[str, Any]) -> None:
        """Write one row as one line, flushed and fsynced before returning."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")  # closed in close()
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.done.add(row["key"])
        if row.get("status") == "error":
            self.errors.add(row["key"])

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
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, output)
