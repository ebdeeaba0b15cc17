"""Epoch arrays at the user's edge: ``datetime64[us]`` (UTC) from whatever the caller holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray


def as_datetime64(times: Any | datetime | Iterable[datetime]) -> NDArray[np.datetime64]:
    """1-D ``datetime64[us]`` from ``datetime64`` values, ISO strings or ``datetime`` objects.

    Aware datetimes are converted to UTC; naive ones are taken as they are (UTC by convention).
    """
    if isinstance(times, datetime):
        times = [times]
    elif not isinstance(times, np.ndarray | np.datetime64):
        times = list(times)
    if isinstance(times, list):
        times = [t.astimezone(UTC).replace(tzinfo=None)
                 if isinstance(t, datetime) and t.tzinfo is not None else t for t in times]
    return np.atleast_1d(np.asarray(times, dtype="datetime64[us]"))
