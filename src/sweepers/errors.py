"""Exception classes of the library. The CLI turns each into one clear line (no traceback)."""


class SweepersError(Exception):
    """Base class of every error the library raises on purpose."""


class FormatError(SweepersError):
    """A whole input could not be decoded (unknown format, not text, wrong container)."""


class StoreError(SweepersError):
    """The catalog store could not be opened, migrated or written."""


class FetchError(SweepersError):
    """A remote catalog query failed (HTTP status, timeout, or an undecodable body)."""


class NotFoundError(SweepersError):
    """A requested object or element set is not in the store."""
