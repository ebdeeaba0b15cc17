"""Atomic, idempotent ingest of catalog files into the store.

Each file is read whole, decoded by :func:`sweepers.formats.parse_bytes`, and written in **one
transaction**: a crash or ``kill -9`` at any point leaves the store exactly as it was before that
file (earlier files stay committed). Re-ingesting a file adds nothing (see the write rules in
:mod:`sweepers.catalog.store`). Bad records are reported with file, line and reason; good ones are
kept. A file that cannot be read or decoded at all is reported as that file's ``error`` and the
other files are still ingested.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from sweepers.catalog.store import CatalogStore, Record, WriteCounts
from sweepers.errors import FormatError
from sweepers.records import Parsed, Rejected

FORMATS = (
    "auto", "tle", "omm-json", "omm-csv", "omm-xml", "omm-kvn", "satcat", "cara-mass", "gcat",
)

IngestProgress = Callable[[str, str, int, int], None]
"""``progress(path, stage, done, total)``: stage ``read`` (bytes), ``parse``, ``store`` (records),
``done``. Called at least once per stage, and after each batch of rows while storing."""


@dataclass(slots=True)
class FileReport:
    """What happened to one input file (or fetched URL)."""

    path: str
    format: str | None = None  # the format used (detected when ``auto``)
    sha256: str | None = None  # of the file's bytes
    accepted: int = 0  # good records decoded
    added: int = 0  # new rows written
    updated: int = 0  # metadata rows replaced by different values (latest wins)
    duplicates: int = 0  # records already in the store, identical or same (id, epoch)
    rejected: list[Rejected] = field(default_factory=list)
    error: str | None = None  # the whole file failed (missing, unreadable, undecodable)
    parse_s: float = 0.0  # wall time decoding [s]
    store_s: float = 0.0  # wall time writing [s]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "file": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "accepted": self.accepted,
            "added": self.added,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "error": self.error,
            "parse_s": round(self.parse_s, 3),
            "store_s": round(self.store_s, 3),
        }


@dataclass(slots=True)
class IngestReport:
    """The outcome of :func:`ingest_files`: one :class:`FileReport` per input, in order."""

    files: list[FileReport] = field(default_factory=list)

    def _total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def accepted(self) -> int:
        """Good records over all files."""
        return self._total("accepted")

    @property
    def added(self) -> int:
        """New rows over all files."""
        return self._total("added")

    @property
    def updated(self) -> int:
        """Replaced metadata rows over all files."""
        return self._total("updated")

    @property
    def duplicates(self) -> int:
        """Records already present over all files."""
        return self._total("duplicates")

    @property
    def rejected(self) -> list[Rejected]:
        """Every rejected record, file by file."""
        return [r for f in self.files for r in f.rejected]

    @property
    def errors(self) -> list[FileReport]:
        """Files that failed as a whole."""
        return [f for f in self.files if f.error is not None]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: totals, per-file counts, ``rejected`` as {file, line, reason}."""
        return {
            "accepted": self.accepted,
            "added": self.added,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected_count": len(self.rejected),
            "files": [f.as_dict() for f in self.files],
            "rejected": [
                {"file": r.source, "line": r.line, "reason": r.reason} for r in self.rejected
            ],
            "errors": [{"file": f.path, "error": f.error} for f in self.errors],
        }


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def parse(data: bytes, source: str, fmt: str = "auto") -> tuple[str, Parsed[Any]]:
    """Decode ``data`` with the formats package: ``(format used, Parsed)``.

    Raises :class:`FormatError` when the input is unusable as a whole or ``fmt`` is unknown.
    """
    from sweepers import formats  # imported late: the codecs are heavier than the store

    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    used = formats.detect_format(data, source) if fmt == "auto" else fmt
    return used, formats.parse_bytes(data, source, used)


def store_parsed(
    store: CatalogStore,
    records: Sequence[Record],
    report: FileReport,
    progress: IngestProgress | None = None,
) -> None:
    """Write decoded records in one transaction and fill ``report``'s counts and ``store_s``."""
    t0 = time.perf_counter()
    path = report.path

    def rows(done: int, total: int) -> None:
        if progress is not None:
            progress(path, "store", done, total)

    counts: WriteCounts = store.write(
        records,
        source=path,
        sha256=report.sha256 or "",
        fmt=report.format or "unknown",
        rejected=len(report.rejected),
        progress=rows,
    )
    report.accepted, report.added = counts.accepted, counts.added
    report.updated, report.duplicates = counts.updated, counts.duplicates
    report.store_s = time.perf_counter() - t0


def ingest_bytes(
    store: CatalogStore,
    data: bytes,
    source: str,
    fmt: str = "auto",
    progress: IngestProgress | None = None,
) -> FileReport:
    """Decode and store one input already in memory (a file's bytes or an HTTP body).

    A :class:`FormatError` (unusable input) propagates and nothing is written.
    """
    report = FileReport(path=source, sha256=sha256_hex(data))
    if progress is not None:
        progress(source, "parse", 0, 1)
    t0 = time.perf_counter()
    report.format, parsed = parse(data, source, fmt)
    report.parse_s = time.perf_counter() - t0
    report.rejected = list(parsed.rejected)
    store_parsed(store, parsed.records, report, progress)
    if progress is not None:
        progress(source, "done", 1, 1)
    return report


def ingest_files(
    store: CatalogStore,
    paths: Iterable[str | PathLike[str]],
    fmt: str = "auto",
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Ingest files in order, one transaction each; a failing file does not stop the others.

    ``fmt`` applies to every file (``auto`` detects each one). Per-file problems (missing or
    unreadable file, undecodable content) go into that file's ``error``; a store failure raises
    :class:`~sweepers.errors.StoreError` (files before it stay committed).
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    report = IngestReport()
    for p in paths:
        path = Path(p)
        name = str(p)
        if progress is not None:
            progress(name, "read", 0, 1)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            report.files.append(FileReport(path=name, error="no such file"))
            continue
        except IsADirectoryError:
            report.files.append(FileReport(path=name, error="is a directory, not a file"))
            continue
        except OSError as exc:
            report.files.append(FileReport(path=name, error=f"cannot read: {exc.strerror or exc}"))
            continue
        try:
            report.files.append(ingest_bytes(store, data, name, fmt, progress))
        except FormatError as exc:
            # codecs name the source in their message; the report names the file once
            reason = str(exc).removeprefix(f"{name}: ")
            report.files.append(FileReport(path=name, sha256=sha256_hex(data), error=reason))
    return report
