"""The pages each role can reach: a crawl from the home page through the links the role sees.

Used by the page sweep (Vietnamese all through) and the browser sweep (layout and axe). The demo
is built once; every role of the platform gets one account in it (the demo's own, plus a mentor,
a team leader, a citizen linked to their record and a content editor). The crawl follows
same-site GET links only, never one that signs out, changes the language or downloads a file,
and visits at most :data:`PER_SHAPE` pages of one shape (``/ho/<id>/`` is one shape, whatever
the household), so that every kind of page is seen without visiting every household.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.core.management import call_command
from django.test import Client

PER_SHAPE = 2
PER_ROLE = 90
SKIP = re.compile(
    r"^/(static/|media/|logout|i18n/|api/|sw\.js|manifest|healthz|favicon)"
    r"|/(tai-ve|download|export|xuat|csv|rejects?\.csv)(/|$)|\.(csv|xlsx|pdf|json|png|svg|ogg)$"
)
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not dict(attrs).get("download"):
                self.links.append(href)


def shape(path: str) -> str:
    """A URL with its ids and numbers replaced: one shape per kind of page."""
    parts = urlsplit(path)
    query = "&".join(sorted(p.split("=")[0] for p in parts.query.split("&") if p))
    return _ID.sub("#", parts.path) + ("?" + query if query else "")


@dataclass
class Page:
    role: str
    path: str
    html: str


def crawl(client: Client, role: str, start: str = "/", limit: int = PER_ROLE) -> list[Page]:
    pages: list[Page] = []
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque([start])
    while queue and len(pages) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        key = shape(path)
        if shapes.get(key, 0) >= PER_SHAPE:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        shapes[key] = shapes.get(key, 0) + 1
        html = response.content.decode()
        pages.append(Page(role, path, html))
        parser = _Links()
        parser.feed(html)
        for href in parser.links:
            href = urldefrag(href)[0]
            if not href.startswith("/") or href.startswith("//") or SKIP.search(href):
                continue
            if href not in seen:
                queue.append(href)
    return pages


def demo_accounts() -> dict[str, Any]:
    """One account per role, in the demo (built here)."""
    from django.contrib.auth import get_user_model

    from hocvuso.core.actors import SYSTEM
    from hocvuso.mentoring.models import Mentor
    from hocvuso.registry.models import Person
    from hocvuso.roles.services import role_grant
    from hocvuso.teams.models import MemberRole, TeamMember

    call_command("demo", "--households", "16", "--no-migrate", stdout=_Null())
    users = get_user_model().objects
    accounts: dict[str, Any] = {
        "national_admin": users.get(username="admin"),
        "province_officer": users.get(username="canbo.tuyenquang"),
        "commune_officer": users.get(username="canbo.lungcu"),
        "desk_staff": users.get(username="motcua.lungcu"),
        "team_member": users.get(username="to.thenpa"),
        "youth_volunteer": users.get(username="doan.lungcu"),
    }
    mentor = Mentor.objects.select_related("user").filter(user__isnull=False).first()
    if mentor is not None:
        accounts["mentor"] = mentor.user
    leader = (
        TeamMember.objects.select_related("user").filter(role=MemberRole.LEADER).first()
        if hasattr(MemberRole, "LEADER")
        else None
    )
    if leader is not None:
        accounts["team_leader"] = leader.user
    person = Person.objects.filter(commune_id="00715", erased_at__isnull=True).first()
    citizen = users.create_user(username="dan.sweep", password="x-sweep-2026", display_name="Dân")
    role_grant(actor=SYSTEM, user=citizen, role="citizen", person=person)
    accounts["citizen"] = citizen
    editor = users.create_user(username="bientap.sweep", password="x-sweep-2026")
    role_grant(actor=SYSTEM, user=editor, role="content_editor")
    accounts["content_editor"] = editor
    return accounts


class _Null:
    def write(self, *_args: Any) -> None:
        pass

    def flush(self) -> None:
        pass
