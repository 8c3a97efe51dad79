"""The back office in Vietnamese: every page of the Django admin a national administrator can
reach — the index, every model's list, a record of each, its history, the add and delete pages
Django offers — read with the page sweep's checks. Django's own words come from its Vietnamese
catalogue; those of the libraries that ship none (django-otp, django-tasks) and the permission
names Django makes from our models come from ours."""

from __future__ import annotations

import pytest

from tests.factories import login
from tests.ui.sweep import crawl, demo_accounts, shape
from tests.ui.test_page_sweep import ENGLISH, problems, visible_text

pytestmark = pytest.mark.django_db

# Words of the admin's own that its Vietnamese catalogue lacked, and the English names of apps,
# models and fields Django or a library made up: none of them may come back.
ADMIN_ENGLISH = ENGLISH | {
    "Toggle", "navigation", "Sidebar", "Skip", "link", "Can", "Core", "Geo", "Registry",
    "Accounts", "Tasks", "Backend", "Result", "Results", "Ready", "Successful", "priority",
    "traceback", "entry", "entries", "counts", "Breadcrumbs", "Model",
}  # fmt: skip


def test_every_admin_page_is_vietnamese(units):
    from django.contrib.auth import get_user_model

    admin = demo_accounts()["national_admin"]
    assert admin.is_staff
    from hocvuso.skills.models import Skill

    allowed = set(get_user_model().objects.values_list("username", flat=True))
    # The skill catalogue's own keys, in its "code" column (the key imports and the API use).
    allowed |= set(Skill.objects.values_list("code", flat=True))
    pages = crawl(login(admin), "national_admin", start="/admin/", limit=400)
    paths = {shape(p.path) for p in pages}
    # The index, lists, records and their history pages were all read.
    assert "/admin/" in paths
    assert "/admin/registry/person/" in paths
    assert any(p.endswith("/history/") for p in paths)
    assert len(pages) > 60
    report = [
        f"{shape(page.path)}: {problem}"
        for page in pages
        if page.path.startswith("/admin/")
        for problem in problems(visible_text(page.html), allowed, ADMIN_ENGLISH)
    ]
    assert report == [], "\n" + "\n".join(sorted(set(report)))
