"""Fixtures of the CLI tests that other test packages own: GTOC9's real debris table and a valid
three-debris mission (``tests/gtoc9/conftest.py``)."""

from gtoc9.conftest import debris, legs, valid_events

__all__ = ["debris", "legs", "valid_events"]
