"""Pages of the community tech teams: the commune's teams (officers manage them), a team's
door-to-door plan with "take" buttons, the visit form (phone-first) and coverage.

Thin: parse input, call one selector or service, render. Out of scope → 404, as everywhere.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.teams import may_work_team
from hocvuso.access.units import access_commune, can_edit_commune
from hocvuso.accounts import selectors as accounts_selectors
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.web import add_domain_error, not_found_as_404, outbox_strings, paginate, run_form
from hocvuso.geo import selectors as geo_selectors
from hocvuso.geo.models import Village
from hocvuso.skills import selectors as skills_selectors
from hocvuso.teams import selectors, services
from hocvuso.teams.forms import MemberForm, TeamForm, VisitForm
from hocvuso.teams.models import Team, VisitIssue

# Skills offered on the visit form: the basic set and the identity milestones.


def _never_cache(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _chosen_villages(form: TeamForm, villages: list[Village]) -> list[Village]:
    wanted = set(form.cleaned_data["villages"])
    return [v for v in villages if str(v.pk) in wanted]


@login_required
@require_GET
@not_found_as_404
def team_list(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    teams = list(selectors.team_list(actor=request.user, commune=commune).order_by("name", "pk"))
    may_manage = can_edit_commune(request.user, commune.code)
    villages = list(geo_selectors.village_list(commune=commune)) if may_manage else []
    return render(
        request,
        "teams/list.html",
        {
            "commune": commune,
            "teams": teams,
            "may_manage": may_manage,
            "form": TeamForm(villages=villages),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def team_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    villages = list(geo_selectors.village_list(commune=commune))
    form = TeamForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=request.user,
                commune=commune,
                name=form.cleaned_data["name"],
                villages=_chosen_villages(form, villages),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Team created."))
            return redirect("teams:team", team_id=team.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "teams/team_form.html", {"commune": commune, "form": form}, status=status
    )


def _team_page(
    request: HttpRequest,
    team: Team,
    *,
    member_form: MemberForm | None = None,
    team_form: TeamForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_manage = can_edit_commune(request.user, team.commune_id)
    villages = list(geo_selectors.village_list(commune=team.commune)) if may_manage else []
    covered = list(team.villages.all())
    if team_form is None:
        team_form = TeamForm(
            villages=villages,
            initial={"name": team.name, "villages": [str(v.pk) for v in covered]},
        )
    return render(
        request,
        "teams/team.html",
        {
            "commune": team.commune,
            "team": team,
            "covered": covered,
            "members": selectors.team_members(team),
            "may_manage": may_manage,
            "member_form": member_form or MemberForm(),
            "team_form": team_form,
        },
        status=status,
    )


@login_required
@require_GET
@not_found_as_404
def team_detail(request: HttpRequest, team_id: UUID) -> HttpResponse:
    return _team_page(request, selectors.team_get(request.user, team_id))


@login_required
@require_POST
@not_found_as_404
def team_edit(request: HttpRequest, team_id: UUID) -> HttpResponse:
    team = selectors.team_get(request.user, team_id, manage=True)
    villages = list(geo_selectors.village_list(commune=team.commune))
    form = TeamForm(request.POST, villages=villages)
    if run_form(
        form,
        lambda f: services.team_update(
            actor=request.user,
            team=team,
            name=f.cleaned_data["name"],
            villages=_chosen_villages(f, villages),
        ),
    ):
        messages.success(request, _("Team saved."))
        return redirect("teams:team", team_id=team.pk)
    return _team_page(request, team, team_form=form, status=400)


@login_required
@require_POST
@not_found_as_404
def member_add(request: HttpRequest, team_id: UUID) -> HttpResponse:
    team = selectors.team_get(request.user, team_id, manage=True)
    form = MemberForm(request.POST)
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        user = accounts_selectors.active_user(username=data["username"])
        if user is None:
            form.add_error("username", _("No active account has this username."))
        else:
            try:
                services.team_member_add(
                    actor=request.user,
                    team=team,
                    user=user,
                    role=data["role"],
                    organisation=data["organisation"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Member added."))
                return redirect("teams:team", team_id=team.pk)
    return _team_page(request, team, member_form=form, status=400)


@login_required
@require_POST
@not_found_as_404
def member_remove(request: HttpRequest, member_id: UUID) -> HttpResponse:
    member = selectors.member_get(request.user, member_id)
    services.team_member_remove(actor=request.user, member=member)
    messages.success(request, _("Member removed."))
    return redirect("teams:team", team_id=member.team_id)


@login_required
@require_GET
@not_found_as_404
def plan(request: HttpRequest, team_id: UUID) -> HttpResponse:
    team = selectors.team_get(request.user, team_id)
    covered = list(team.villages.all())
    wanted = request.GET.get("village", "")
    village = next((v for v in covered if str(v.pk) == wanted), None) if wanted else None
    page = paginate(
        selectors.team_plan_keys(actor=request.user, team=team, village=village),
        request.GET.get("page"),
        rows=selectors.team_plan_rows,
    )
    return _never_cache(
        render(
            request,
            "teams/plan.html",
            {
                "commune": team.commune,
                "team": team,
                "covered": covered,
                "village": village,
                "page": page,
                "may_work": may_work_team(request.user, team),
                "me": request.user.pk,
            },
        )
    )


@login_required
@require_POST
@not_found_as_404
def take(request: HttpRequest, team_id: UUID, household_id: UUID) -> HttpResponse:
    team = selectors.team_get(request.user, team_id, work=True)
    household = selectors.plan_household_get(request.user, team, household_id)
    try:
        services.claim_take(actor=request.user, team=team, household=household)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Household %(code)s is yours to visit.") % {"code": household.code}
        )
    return redirect("teams:plan", team_id=team.pk)


@login_required
@require_POST
@not_found_as_404
def release(request: HttpRequest, claim_id: UUID) -> HttpResponse:
    claim = selectors.claim_get(request.user, claim_id)
    services.claim_release(actor=request.user, claim=claim)
    messages.success(request, _("Household given back to the list."))
    return redirect("teams:plan", team_id=claim.team_id)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def visit(request: HttpRequest, team_id: UUID, household_id: UUID) -> HttpResponse:
    team = selectors.team_get(request.user, team_id, work=True)
    household = selectors.plan_household_get(request.user, team, household_id)
    people = selectors.household_people(request.user, household)
    skills = selectors.visit_skills()
    known = {s.code for s in skills}
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            data: dict[str, Any] = form.cleaned_data
            here = set(request.POST.getlist("present"))
            present = [
                services.Present(
                    person=p,
                    guided=[c for c in request.POST.getlist(f"guided_{p.pk}") if c in known],
                    gained=[c for c in request.POST.getlist(f"gained_{p.pk}") if c in known],
                )
                for p in people
                if str(p.pk) in here
            ]
            visited_at = data["visited_at"]
            if timezone.is_naive(visited_at):
                visited_at = timezone.make_aware(visited_at)
            try:
                v = services.visit_record(
                    actor=request.user,
                    team=team,
                    id=data["id"],
                    household=household,
                    visited_at=visited_at,
                    present=present,
                    issues=data["issues"],
                    issues_note=data["issues_note"],
                    follow_up_on=data["follow_up_on"],
                    note=data["note"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if not v.replayed:
                    messages.success(request, _("Visit recorded."))
                return redirect("teams:plan", team_id=team.pk)
        status = 400
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = VisitForm(initial={"id": uuid7(), "visited_at": now})
        status = 200
    return _never_cache(
        render(
            request,
            "teams/visit_form.html",
            {
                "commune": team.commune,
                "team": team,
                "household": household,
                "people": people,
                "skills": skills,
                "form": form,
                "issues": VisitIssue.choices,
            },
            status=status,
        )
    )


@login_required
@require_GET
@not_found_as_404
def visit_detail(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    v = selectors.visit_get(request.user, visit_id)
    names = skills_selectors.skill_names()
    present = selectors.visit_people(v)
    return render(
        request,
        "teams/visit.html",
        {
            "commune": v.team.commune,
            "team": v.team,
            "visit": v,
            "present": [
                (p, [names.get(c, c) for c in p.guided], [names.get(c, c) for c in p.gained])
                for p in present
            ],
            "issue_labels": [VisitIssue(i).label for i in v.issues if i in VisitIssue.values],
        },
    )


@login_required
@require_GET
@not_found_as_404
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    data = selectors.coverage(actor=request.user, commune=commune)
    return render(request, "teams/coverage.html", {"commune": commune, "data": data})


# --- The field app (offline) ------------------------------------------------------------------


@login_required
@require_GET
def field(request: HttpRequest) -> HttpResponse:
    """The field app's page: a shell with no data of its own (the plan and the visit form are
    drawn on the phone from its copy of the work set, ui/field/field.js and teams/field.js), so
    the service worker may keep it for use offline."""
    return render(request, "teams/field.html", {"strings": field_strings()})


def field_strings() -> dict[str, str]:
    """The words of the offline pages, translated here (the phone has no catalogue)."""
    return {
        **outbox_strings(),
        "no_team": _("You are not in a community tech team."),
        "no_household": _("No household in the team's villages."),
        "people": _("%(n)s people"),
        "visited": _("Visited"),
        "taken": _("Taken by another member"),
        "taken_by_me": _("Taken by you"),
        "waiting": _("Waiting to be sent"),
        "take": _("Take"),
        "record_visit": _("Record a visit"),
        "visit_title": _("Visit to household"),
        "guided": _("Guided on"),
        "gained": _("Can now do alone"),
        "skills": _("Skills"),
        "add_person": _("Add a newcomer to the household"),
        "full_name": _("Full name"),
        "sex": _("Sex"),
        "female": _("Female"),
        "male": _("Male"),
        "birth_year": _("Year of birth"),
        "add": _("Add"),
        "issues": _("Issues found"),
        "issue_no_smartphone": _("No smartphone"),
        "issue_no_signal": _("No signal"),
        "issue_language": _("Language"),
        "save": _("Save the visit"),
        "cancel": _("Cancel"),
        "device_name": _("Field app"),
    }
