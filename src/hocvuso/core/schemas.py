"""The API's shared schemas: one error body, one page envelope."""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Page as DjangoPage
from django.http import HttpResponse
from ninja import Schema
from ninja.responses import NinjaJSONEncoder


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


def page_json(
    page: DjangoPage, row: type[Schema], head: dict[str, Any] | None = None
) -> HttpResponse:
    """A page of a list as its JSON answer, written straight from the page's rows (objects
    with an attribute for each field of ``row``, its response schema for one row, in the
    schema's order), after ``head`` (figures an answer shows before its envelope). The schema
    stays the documented contract (OpenAPI) but is not run again over every row of every
    page: validating a page of 500 cost as much as reading its rows. The same encoder as
    django-ninja's renderer, so the bytes are those it would write; each endpoint answering
    this way has a test that its body validates against its schema and comes back unchanged
    (``tests/test_api_lists.py``)."""
    names = tuple(row.model_fields)
    results = [{name: getattr(r, name) for name in names} for r in page.object_list]
    body = {**(head or {}), **page_fields(page), "results": results}
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )


# What every endpoint answers besides its success: documented on each operation.
ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
