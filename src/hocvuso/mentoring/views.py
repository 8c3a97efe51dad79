"""Pages of mentoring: the commune's mentors (≥ 5 figure, cascade), a mentor's page (mentees and
their progress), matching suggestions with bulk acceptance, and the mentor's session form.

Thin: parse input, call one selector or service, render. Out of scope → 404, as everywhere.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.units import access_commune, can_edit_commune
from hocvuso.accounts import selectors as accounts_selectors
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.web import add_domain_error, not_found_as_404, paginate
from hocvuso.mentoring import selectors, services
from hocvuso.mentoring.forms import MentorForm, SessionForm
from hocvuso.mentoring.models import GOAL_MENTEES
from hocvuso.skills import selectors as skills_selectors
from hocvuso.skills.facts import BANK_ACCOUNT, BASIC_SET, VNEID_INSTALLED, VNEID_LEVEL2, skill_sets


def _never_cache(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _mentors_page(
    request: HttpRequest,
    code: str,
    form: MentorForm | None,
    status: int,
    found: list[Any] | None = None,
) -> Any:
    commune = access_commune(request.user, code)
    page = paginate(
        selectors.mentor_list(actor=request.user, commune=commune),
        request.GET.get("page"),
        rows=selectors.mentor_rows,
    )
    graph = selectors.cascade_graph(actor=request.user, commune=commune)
    tree = graph.rows(m.pk for m in page.object_list)
    figures = selectors.mentor_figures(actor=request.user, commune=commune)
    return render(
        request,
        "mentoring/mentors.html",
        {
            "commune": commune,
            "page": page,
            "rows": [(m, tree[m.pk]) for m in page.object_list],
            "figures": figures,
            "generations": graph.generations(),
            "goal": GOAL_MENTEES,
            "may_keep": can_edit_commune(request.user, commune.code),
            "form": form or MentorForm(),
            "found": found or [],
        },
        status=status,
    )


@login_required
@require_GET
@not_found_as_404
def mentors(request: HttpRequest, code: str) -> HttpResponse:
    return _mentors_page(request, code, None, 200)


@login_required
@require_POST
@not_found_as_404
def mentor_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    if "find" in request.POST:
        # The search text is not written back into any URL; the matches are listed to choose.
        found = selectors.people_to_pick(request.user, commune, request.POST.get("q", "")[:100])
        form = MentorForm(initial={k: v for k, v in request.POST.items() if k != "person"})
        if not found:
            messages.info(request, _("Nobody of this commune has that name."))
        return _mentors_page(request, code, form, 200, found)
    form = MentorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        person = selectors.commune_person(request.user, commune, data["person"])
        user = accounts_selectors.active_user(username=data["username"])
        if person is None:
            form.add_error("person", _("No such person in this commune."))
        elif user is None:
            form.add_error("username", _("No such user account."))
        else:
            try:
                mentor = services.mentor_create(
                    actor=request.user,
                    person=person,
                    user=user,
                    capacity=data["capacity"],
                    languages=data["languages"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("%(name)s is a digital ambassador.") % {"name": person.full_name}
                )
                return redirect("mentoring:mentor", mentor_id=mentor.pk)
    return _mentors_page(request, code, form, 400)


@login_required
@require_GET
@not_found_as_404
def mine(request: HttpRequest) -> HttpResponse:
    return redirect("mentoring:mentor", mentor_id=selectors.own_mentor(request.user).pk)


@login_required
@require_GET
@not_found_as_404
def mentor(request: HttpRequest, mentor_id: UUID) -> HttpResponse:
    m = selectors.mentor_get(request.user, mentor_id)
    ships = list(selectors.mentee_list(actor=request.user, mentor=m))
    return _never_cache(
        render(
            request,
            "mentoring/mentor.html",
            {
                "commune": m.commune,
                "mentor": m,
                "active": [s for s in ships if s.status == "active"],
                "ended": [s for s in ships if s.status != "active"],
                "goal": GOAL_MENTEES,
                "tree": selectors.tree_of(m),
                "sessions": selectors.session_list(actor=request.user, mentor=m),
                "own": m.user_id == request.user.pk,
                "may_keep": can_edit_commune(request.user, m.commune_id),
            },
        )
    )


@login_required
@require_GET
@not_found_as_404
def matching(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    suggestions = selectors.match_suggest(actor=request.user, commune=commune)
    return _never_cache(
        render(
            request,
            "mentoring/matching.html",
            {"commune": commune, "suggestions": suggestions},
        )
    )


@login_required
@require_POST
@not_found_as_404
def accept(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    pairs: list[tuple[UUID, UUID]] = []
    for value in request.POST.getlist("pair"):
        person_id, _sep, mentor_id = value.partition(":")
        try:
            pairs.append((UUID(person_id), UUID(mentor_id)))
        except ValueError:
            continue
    made = services.mentorships_accept(actor=request.user, commune=commune, pairs=pairs)
    messages.success(request, _("%(n)d mentorships started.") % {"n": len(made)})
    return redirect("mentoring:matching", code=commune.code)


@login_required
@require_POST
@not_found_as_404
def mentorship_end(request: HttpRequest, mentorship_id: UUID) -> HttpResponse:
    ship = selectors.mentorship_get(request.user, mentorship_id)
    services.mentorship_end(actor=request.user, mentorship=ship)
    return redirect("mentoring:mentor", mentor_id=ship.mentor_id)


def _skill_choices(province: str) -> list[tuple[str, str]]:
    basic = skill_sets().of(BASIC_SET, province)
    # The basic set, then the identity milestones mentors often help with.
    codes = [*basic, *(c for c in (VNEID_INSTALLED, VNEID_LEVEL2, BANK_ACCOUNT) if c not in basic)]
    names = {s.code: s.name for s in skills_selectors.active_skills(codes=codes)}
    return [(c, names[c]) for c in codes if c in names]


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def session(request: HttpRequest, mentor_id: UUID) -> HttpResponse:
    m = selectors.mentor_get(request.user, mentor_id)
    if m.user_id != request.user.pk or not m.active:
        raise NotFound()
    ships = [s for s in selectors.mentee_list(actor=request.user, mentor=m) if s.status == "active"]
    mentees = {str(s.mentee_id): s.mentee for s in ships}
    choices = {
        "mentees": [(k, p.full_name) for k, p in mentees.items()],
        "skills": _skill_choices(m.commune.province_id),
    }
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST, **choices)
        mentee = mentees.get(request.POST.get("mentee", ""))
        if mentee is None and request.POST.get("mentee"):
            raise NotFound()  # not one of the mentor's mentees: nothing is recorded
        if form.is_valid() and mentee is not None:
            data = form.cleaned_data
            try:
                done = services.session_record(
                    actor=request.user,
                    id=data["id"],
                    mentor=m,
                    mentee=mentee,
                    happened_on=data["happened_on"],
                    practised=data["practised"],
                    gained=data["gained"],
                    note=data["note"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if not done.replayed:
                    messages.success(
                        request, _("Session with %(name)s recorded.") % {"name": mentee.full_name}
                    )
                return redirect("mentoring:mentor", mentor_id=m.pk)
        status = 400
    else:
        form = SessionForm(initial={"id": uuid7()}, **choices)
    return _never_cache(
        render(
            request,
            "mentoring/session.html",
            {"commune": m.commune, "mentor": m, "form": form},
            status=status,
        )
    )
