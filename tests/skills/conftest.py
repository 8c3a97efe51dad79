"""Fixtures of the skills tests."""

from __future__ import annotations
