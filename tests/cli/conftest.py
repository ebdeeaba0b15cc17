"""Fixtures of the CLI tests that other test packages own: a valid three-debris mission
(``tests/gtoc9/conftest.py``) on GTOC9's real debris table (``debris``, ``tests/conftest.py``)."""

from gtoc9.conftest import legs, valid_events

__all__ = ["legs", "valid_events"]
