"""Issue 11.1 and 12.5: damaged bytes cost one record, not the file; binary files one clear line.

Input: the first 300 records of the bundled Space-Track 3LE catalog
(``$SWEEPERS_DATA/catalog/spacetrack_3le_full_catalog_2023-10.txt``, CRLF), with record 151 hit by
the bytes of a corrupted download (NUL, 0xFF 0xFE, a stray 0x9C, an ESC sequence). On main at
70ba30a ``sweepers catalog ingest`` refused it whole ("binary data, not a text format", exit 2,
nothing stored); now 299 records are stored, record 151 is reported at its line, exit 3.
Run on SQLite and PostgreSQL (``db_url``): PostgreSQL refuses NUL in text, so a NUL that reached
the store would fail the whole file there.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from sweepers.cli.catalog_cmd import app

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
DAMAGE = b"\x00\xff\xfe\x9c\x1b[2J"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _records(shared_data: Path, count: int) -> list[bytes]:
    lines = (shared_data / CATALOG).read_bytes().split(b"\r\n")[: 3 * count]
    return [b"\r\n".join(lines[i:i + 3]) for i in range(0, len(lines), 3)]


def _damaged_file(shared_data: Path, tmp_path: Path) -> Path:
    records = _records(shared_data, 300)
    name, line1, line2 = records[150].split(b"\r\n")
    records[150] = b"\r\n".join([name, line1[:20] + DAMAGE + line1[20 + len(DAMAGE):], line2])
    path = tmp_path / "damaged.3le"
    path.write_bytes(b"\r\n".join(records) + b"\r\n")
    return path


def test_one_damaged_record_costs_one_record(db_url: str, shared_data: Path,
                                             tmp_path: Path) -> None:
    path = _damaged_file(shared_data, tmp_path)
    code, out, _ = run("ingest", str(path), "--db", db_url, "--json")
    assert code == 3
    report = json.loads(out)
    assert report["errors"] == []
    assert report["files"][0]["format"] == "tle"
    assert report["accepted"] == report["added"] == 299
    assert [(r["line"], r["reason"]) for r in report["rejected"]] == [
        (451, "line 1 (line 452): control character U+0000 at column 21")]
    code, out, _ = run("stats", "--db", db_url, "--json")
    assert code == 0 and json.loads(out)["element_sets"] == 299


def test_rejection_lines_are_escaped(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    path = _damaged_file(shared_data, tmp_path)
    records = path.read_bytes().split(b"\r\n")
    records[9] = b"0 BAD \xc3\x28 NAME \xef\xbf\xbd"  # line 10: invalid UTF-8 and U+FFFD in a name
    path.write_bytes(b"\r\n".join(records))
    code, _, err = run("ingest", str(path), "--db", db_url)
    assert code == 3
    assert f"{path}:451: line 1 (line 452): control character U+0000 at column 21" in err
    assert f"{path}:10: damaged text (line 10: undecodable byte 0xc3 at column 7" in err
    assert not any(c in err for c in "\x00\x1b\ufffd") and "\udcc3" not in err
    assert all(ord(c) >= 0x20 or c == "\n" for c in err)


def test_gzip_compressed_catalog_is_one_clear_error(db_url: str, shared_data: Path,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "catalog.3le.gz"
    path.write_bytes(gzip.compress(b"\r\n".join(_records(shared_data, 300))))
    code, _, err = run("ingest", str(path), "--db", db_url)
    assert code == 2
    assert err.strip().count("\n") == 0  # one line
    assert err.strip().startswith(
        f"error: {path}: gzip-compressed data (decompress it first), not a text format (")
    code, _, err = run("ingest", str(path), "--db", db_url, "--format", "tle")
    assert code == 2 and "gzip-compressed data (decompress it first), not tle text" in err


def test_truncated_3le_record_is_reported_at_its_line(db_url: str, shared_data: Path,
                                                       tmp_path: Path) -> None:
    records = _records(shared_data, 4)
    cut = b"\r\n".join(records)[: -69 - 2 - 40]  # the download stopped inside record 4's line 1
    path = tmp_path / "cut.3le"
    path.write_bytes(cut)
    code, out, _ = run("ingest", str(path), "--db", db_url, "--json")
    assert code == 3
    report = json.loads(out)
    assert report["accepted"] == 3
    assert [(r["line"], r["reason"]) for r in report["rejected"]] == [
        (10, "line 1 is not followed by a line 2")]
    # a file holding only the cut record: once "cannot detect the format", now its line
    alone = tmp_path / "alone.3le"
    alone.write_bytes(records[0][:-69 - 2 - 40])
    code, out, _ = run("ingest", str(alone), "--db", db_url, "--json")
    assert code == 3
    assert [(r["line"], r["reason"]) for r in json.loads(out)["rejected"]] == [
        (1, "line 1 is not followed by a line 2")]


def test_unrecognised_text_hint_uses_the_cli_spelling(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\nworld\n")
    code, _, err = run("ingest", str(path), "--db", db_url)
    assert code == 2
    assert "name it with --format, one of tle, omm-json" in err and "fmt=" not in err
