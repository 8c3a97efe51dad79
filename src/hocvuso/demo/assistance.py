"""The demo's citizen and content editor, and a request for help waiting on the worklists.

``dan.thenpa`` is the citizen account of a grown-up of Thôn Thèn Pả (their home: their record,
courses, classes, data, "Nhờ hỗ trợ"), who has asked for help once — the request waits on the
desk's worklist and on the Thèn Pả team's; ``noidung`` edits the courses. Replayed, nothing is
written twice (the request's id is derived, the grants are returned unchanged)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from hocvuso.assistance.models import Contact
from hocvuso.assistance.services import help_request_ask
from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.geo.models import Commune
from hocvuso.registry.models import Person
from hocvuso.roles.services import role_grant
from hocvuso.skills.models import Skill

CITIZEN = "dan.thenpa"
EDITOR = "noidung"


def _account(username: str, password: str, name: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"display_name": name}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def demo_citizen_and_editor(*, commune: Commune, password: str) -> list[tuple[str, str, str]]:
    """The two accounts (username, password, role) and the citizen's request for help."""
    editor = _account(EDITOR, password, "Biên tập nội dung (demo)")
    role_grant(actor=SYSTEM, user=editor, role="content_editor")
    adult_by = timezone.localdate().year - 18
    person = (
        Person.objects.filter(
            commune=commune,
            erased_at__isnull=True,
            restricted_at__isnull=True,
            household__village__name="Thôn Thèn Pả",
            household__code__startswith="LC-",
            birth_year__lte=adult_by,
        )
        .order_by("household__code", "pk")
        .first()
    )
    accounts = [(EDITOR, password, "content_editor")]
    if person is None:
        return accounts
    citizen = _account(CITIZEN, password, f"{person.full_name} (demo)")
    role_grant(actor=SYSTEM, user=citizen, role="citizen", person=person)
    help_request_ask(
        actor=citizen,
        id=derived_id(IdScheme.HASHED, "demo-help", str(person.pk)),
        person=person,
        skill=Skill.objects.get(code="dvc.online"),
        need="Tôi muốn làm thủ tục cấp lại thẻ bảo hiểm y tế trên điện thoại",
        contact=Contact.VISIT,
    )
    return [(CITIZEN, password, "citizen"), *accounts]
