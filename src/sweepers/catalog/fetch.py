"""Fresh catalog data from CelesTrak (GP element sets and SATCAT), over HTTPS with httpx.

Queries (https://celestrak.org/NORAD/documentation/gp-data-formats.php)::

    {base}/NORAD/elements/gp.php?GROUP=NAME|CATNR=N|INTDES=YYYY-NNN&FORMAT=json|csv|tle
    {base}/satcat/records.php?GROUP=NAME|CATNR=N|INTDES=YYYY-NNN&FORMAT=json|csv

``base`` is a parameter, else ``$SWEEPERS_CELESTRAK_URL``, else ``https://celestrak.org``.

Nothing is half-written: the whole body is downloaded and decoded first; only a good body is then
saved (temporary file + rename) and/or ingested (one transaction). Every failure — HTTP status,
timeout, refused connection, cut-off body, an HTML page or CelesTrak's plain-text "No GP data
found" where data was expected, undecodable content — raises :class:`FetchError` with one clear
line, before anything is written.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

import httpx

from sweepers import __version__
from sweepers.catalog.ingest import FileReport, IngestProgress, parse, sha256_hex, store_parsed
from sweepers.catalog.store import CatalogStore
from sweepers.errors import FetchError, FormatError
from sweepers.files import write_atomic
from sweepers.records import Parsed

DEFAULT_BASE_URL = "https://celestrak.org"
DEFAULT_TIMEOUT_S = 30.0
GP_PATH = "/NORAD/elements/gp.php"
SATCAT_PATH = "/satcat/records.php"
FETCH_FORMATS = ("json", "csv", "tle")
# remote FORMAT -> our codec name
_GP_CODECS = {"json": "omm-json", "csv": "omm-csv", "tle": "tle"}
_SATCAT_CODECS = {"json": "satcat", "csv": "satcat"}
# CelesTrak answers an empty or bad query with HTTP 200 and one line of text
_NOTICE = re.compile(rb"^\s*(no [a-z ]*(data|records?) found|invalid query)[^\n]{0,200}\s*$", re.I)


def base_url(explicit: str | None = None) -> str:
    """The CelesTrak root URL: ``explicit``, else ``$SWEEPERS_CELESTRAK_URL``, else the real one."""
    url = explicit or os.environ.get("SWEEPERS_CELESTRAK_URL") or DEFAULT_BASE_URL
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class Query:
    """One CelesTrak query: GP or SATCAT, one selector, one remote format."""

    selector: str  # GROUP | CATNR | INTDES
    value: str
    fmt: str = "json"  # json | csv | tle
    satcat: bool = False

    @classmethod
    def make(
        cls,
        *,
        group: str | None = None,
        catnr: int | None = None,
        intdes: str | None = None,
        satcat: bool = False,
        fmt: str = "json",
    ) -> Query:
        """Check the combination and build the query (ValueError with the reason if invalid)."""
        given = [(k, v) for k, v in (("GROUP", group), ("CATNR", catnr), ("INTDES", intdes))
                 if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of --group, --catnr, --intdes")
        fmt = fmt.lower()
        codecs = _SATCAT_CODECS if satcat else _GP_CODECS
        if fmt not in codecs:
            what = "SATCAT" if satcat else "GP"
            raise ValueError(f"{what} data come as {' or '.join(codecs)}, not {fmt!r}")
        selector, value = given[0]
        if selector == "CATNR" and (not isinstance(value, int) or not 0 < value < 10**9):
            raise ValueError(f"catalog number must be 1 … 999999999, not {value!r}")
        return cls(selector, str(value), fmt, satcat)

    @property
    def codec(self) -> str:
        """Name of the :mod:`sweepers.formats` codec for the body."""
        return (_SATCAT_CODECS if self.satcat else _GP_CODECS)[self.fmt]

    def url(self, base: str | None = None) -> str:
        """Full URL of the query (``base`` as in :func:`base_url`)."""
        path = SATCAT_PATH if self.satcat else GP_PATH
        params = httpx.QueryParams({self.selector: self.value, "FORMAT": self.fmt})
        return f"{base_url(base)}{path}?{params}"

    def describe(self) -> str:
        """``GROUP=stations`` style label for messages."""
        return f"{'SATCAT' if self.satcat else 'GP'} {self.selector}={self.value}"


@dataclass(slots=True)
class Fetched:
    """A downloaded and fully decoded body."""

    url: str
    data: bytes
    codec: str
    parsed: Parsed[Any]


def _get(url: str, timeout_s: float, client: httpx.Client | None) -> httpx.Response:
    """GET ``url`` and read the whole body; every transport failure becomes one FetchError."""
    owned = client is None
    http = client or httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
        headers={"User-Agent": f"sweepers/{__version__} (+orbital-debris salvage)"},
    )
    try:
        return http.get(url)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: no answer within {timeout_s:g} s ({type(exc).__name__})") from exc
    except httpx.ConnectError as exc:
        raise FetchError(f"{url}: cannot connect ({exc or 'connection refused'})") from exc
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise FetchError(f"{url}: connection broke before the full body arrived ({exc})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    finally:
        if owned:
            http.close()


def _check_body(url: str, query: Query, response: httpx.Response) -> bytes:
    status = response.status_code
    if status == 404:
        raise FetchError(f"{url}: not found (HTTP 404); check the base URL and the query")
    if status >= 500:
        raise FetchError(
            f"{url}: server error (HTTP {status} {response.reason_phrase}); try again later"
        )
    if status != 200:
        raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}")
    data = response.content
    if not data.strip():
        raise FetchError(f"{url}: empty body")
    if _NOTICE.match(data[:300]) and len(data) < 300:
        notice = data.decode("utf-8", "replace").strip()
        raise FetchError(f"{url}: CelesTrak says {notice!r} for {query.describe()}")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        raise FetchError(f"{url}: got an HTML page, not {query.fmt.upper()} data")
    if query.fmt == "json":
        # The JSON codecs salvage the records before a syntax error; a fetched body must be
        # whole, so a truncated one is refused here rather than half-ingested.
        try:
            json.loads(data)
        except ValueError as exc:
            raise FetchError(
                f"{url}: body is not valid JSON, truncated or garbled ({exc})"
            ) from exc
    return data


def fetch(
    query: Query,
    *,
    base: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    client: httpx.Client | None = None,
) -> Fetched:
    """Download and decode one query; :class:`FetchError` unless at least one record is good.

    ``timeout_s`` [s] bounds connecting and each read. Individually bad records in an otherwise
    good body are kept in ``parsed.rejected`` (the caller reports them).
    """
    url = query.url(base)
    data = _check_body(url, query, _get(url, timeout_s, client))
    try:
        _, parsed = parse(data, url, query.codec)
    except FormatError as exc:
        raise FetchError(f"{url}: body is not valid {query.fmt.upper()}: {exc}") from exc
    if not parsed.records:
        why = f": {parsed.rejected[0].reason}" if parsed.rejected else ""
        raise FetchError(
            f"{url}: no usable record in the body ({len(parsed.rejected)} rejected{why})"
        )
    return Fetched(url, data, query.codec, parsed)


def fetch_into(
    store: CatalogStore | None,
    query: Query,
    *,
    out: str | os.PathLike[str] | None = None,
    base: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    client: httpx.Client | None = None,
    progress: IngestProgress | None = None,
) -> FileReport:
    """Fetch ``query``, then save the body to ``out`` (atomically) and ingest it into ``store``.

    Either may be None. Nothing is written unless the whole body downloaded and decoded; the
    ingest is one transaction, logged with the URL as its source.
    """
    fetched = fetch(query, base=base, timeout_s=timeout_s, client=client)
    report = FileReport(
        path=fetched.url,
        format=fetched.codec,
        sha256=sha256_hex(fetched.data),
        rejected=list(fetched.parsed.rejected),
    )
    if out is not None:
        try:
            write_atomic(out, fetched.data)
        except OSError as exc:
            raise FetchError(f"cannot save {out}: {exc.strerror or exc}") from exc
    if store is not None:
        store_parsed(store, fetched.parsed.records, report, progress)
    else:
        report.accepted = len(fetched.parsed.records)
    return report
