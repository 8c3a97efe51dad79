"""Helpers every app's pages use: not-found as a plain 404, a service's error on its form, the
page of a list. No rule of the movement here: parsing and presenting only."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.text import clean

View = Callable[..., HttpResponse]
FormT = TypeVar("FormT", bound=forms.Form)


def not_found_as_404(view: View) -> View:
    """Out of scope or missing: the same 404, with no hint which."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None

    return wrapper


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error on the field it names, or above the form. Not-found is re-raised:
    it must become a 404, never a message that hints the object exists."""
    if isinstance(exc, NotFound):
        raise exc
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, forms.ValidationError(exc.message, code=str(exc.code)))


def run_form(form: FormT, action: Callable[[FormT], Any]) -> bool:
    """Validate ``form`` and call ``action(form)`` (a service call); a service's error goes on
    the form (see :func:`add_domain_error`). True when the action ran."""
    if not form.is_valid():
        return False
    try:
        action(form)
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    return True


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes its value back into the page (for ID numbers): after an
    error the number is typed again rather than sent back in the HTML."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


def page_size() -> int:
    return int(settings.HOCVUSO_PAGE_SIZE)


def paginate(
    qs: QuerySet[Any] | list[Any],
    number: Any,
    *,
    per_page: int | None = None,
    rows: Callable[[list[Any]], Iterable[Any]] | None = None,
    count: int | None = None,
) -> Page:
    """The page ``number`` of a list (the last page for a number past the end, the first for
    nonsense): the one paging rule of every page and endpoint.

    With ``rows`` (for a queryset), the page costs what a page costs whatever the list's size:
    ``qs`` is the list's bare filtered and ordered query (no aggregate); the count runs on it
    (its ordering and unused annotations dropped by Django), the page's ids are selected
    through it (one narrow ordered query of primary keys), and only then ``rows(ids)`` fetches
    what the rows show by primary key — the per-row aggregates (a member count…) over the
    page's ids alone, never a GROUP BY over the whole list. The ids come from the scoped
    query, so fetching them by key shows nothing the list would not (and a key lookup is the
    plan every database picks, where the list's filters again would let SQLite scan the
    commune). The rows keep the order of the ids. ``count``: the list's length when the
    caller already has it (from a summary, or a count the page shows anyway), to spare the
    count query."""
    size = per_page or page_size()
    if rows is None or isinstance(qs, list):
        paginator = Paginator(qs, size)
    else:
        paginator = Paginator(qs.values_list("pk", flat=True), size)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never computed
    page = paginator.get_page(number)
    if rows is None or isinstance(qs, list):
        return page
    ids = list(page.object_list)
    fetched = {r.pk: r for r in rows(ids)} if ids else {}
    page.object_list = [fetched[i] for i in ids if i in fetched]
    return page


SEARCHES = "hocvuso_searches"  # session key: search token → term
_KEPT_SEARCHES = 20


def search_term(request: HttpRequest) -> tuple[str, HttpResponse | None]:
    """The search term of a list page, kept **out of the URL**: people type ID numbers and phone
    numbers into search boxes, and a URL ends up in browser history, proxies and access logs.
    The box posts its term; it is kept in the session under a random token and the page
    redirects to itself with ``?s=<token>`` (and its other filters), so paging and reloading
    work. Returns the term, and the redirect to answer a POST with (else ``None``)."""
    if request.method == "POST":
        term = clean(str(request.POST.get("q", "")))[:100]
        params = {
            k: v
            for k, v in request.POST.items()
            if k not in {"q", "csrfmiddlewaretoken", "page", "s"} and v
        }
        if term:
            token = secrets.token_urlsafe(9)
            kept = dict(request.session.get(SEARCHES, {}))
            kept[token] = term
            request.session[SEARCHES] = dict(list(kept.items())[-_KEPT_SEARCHES:])
            params["s"] = token
        query = urlencode(params)
        return term, HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
    token = str(request.GET.get("s", ""))
    term = request.session.get(SEARCHES, {}).get(token, "") if token else ""
    return str(term), None


def outbox_strings() -> dict[str, str]:
    """The words every offline page of the field app shows about its outbox and sync (the phone
    has no catalogue: each page's view sends them translated, with its own words added)."""
    return {
        "online": _("Online"),
        "offline": _("Offline"),
        "pending": _("%(n)s waiting to be sent"),
        "pulled": _("last synchronised"),
        "sent": _("Sent: %(n)s stored on the server."),
        "failed": _("Not sent: no connection. Everything stays on the phone and goes later."),
        "rejected": _("Refused"),
        "conflict": _("Conflict"),
        "loading": _("Downloading your work…"),
        "no_device": _(
            "This phone is not registered for field work: sign in with signal, with an account "
            "that works in the field."
        ),
    }
