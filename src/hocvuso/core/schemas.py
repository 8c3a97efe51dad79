"""The API's shared schemas: one error body, one page envelope."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page as DjangoPage
from ninja import Schema


class ErrorOut(Schema):
    """Every error: a stable code, a message for people, the input it is about (if any)."""

    code: str
    message: str
    field: str | None = None
    # What the error offers to choose from (``possible_duplicate``: the people it may be).
    details: list[dict[str, Any]] | None = None


class Page(Schema):
    """A page of a list: ``results`` (typed by each list's own subclass), how many in all, which
    page of how many."""

    count: int
    page: int
    pages: int


def page_fields(page: DjangoPage) -> dict[str, Any]:
    """The envelope of a Django page (``results`` added by the caller)."""
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages}


# What every endpoint answers besides its success: documented on each operation.
ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
