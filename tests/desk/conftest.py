"""Fixtures of the desk tests."""

from __future__ import annotations
