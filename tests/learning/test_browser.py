"""The whole learner's journey in headless Chromium on a 360-px phone, under the site's own CSP:
sign up by phone, take the diagnostic, open the first course, try lesson 3 by its address
(refused), finish the lessons, fail the quiz once, pass it after the wait, see the skills on the
person's page and the certificate; scan the certificate's QR address with no account and see it
genuine; an officer withdraws one skill event and the same address says revoked. Screenshots in
``artifacts/learning-*.png``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.accounts.sms import LocmemSmsBackend
from hocvuso.core.actors import SYSTEM
from hocvuso.geo.models import Commune
from hocvuso.learning.models import Certificate, Enrollment
from hocvuso.learning.services import courses_load
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.roles.services.grants import citizen_link
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}
PASSWORD = "lua-chin-vang-2026"


def _login(page, base, username, password):  # type: ignore[no-untyped-def]
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_the_learners_journey_on_a_small_phone(live_server, units, settings, chromium_path):
    settings.HOCVUSO_SMS_BACKEND = "hocvuso.accounts.sms.LocmemSmsBackend"
    settings.HOCVUSO_PUBLIC_URL = live_server.url
    LocmemSmsBackend.outbox.clear()
    commune = Commune.objects.get(code="00715")
    village = village_create(actor=SYSTEM, commune=commune, name="Thôn Lũng Cú")
    household = household_create(actor=SYSTEM, commune=commune, code="LC-7", village=village)
    person = person_register(
        actor=SYSTEM, household=household, full_name="Sùng Thị Mai", sex="F", birth_year=1972
    )
    officer = make_user("can_bo_lung_cu", "commune_officer", commune=commune)
    courses_load(actor=SYSTEM)
    base = live_server.url
    code = "dien-thoai-an-toan"

    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        # 1. Sign up with a phone number.
        page.goto(base + reverse("accounts:register"))
        page.fill("input[name=phone]", "0987 654 321")
        page.click("main button[type=submit]")
        page.wait_for_url("**" + reverse("accounts:register_code"))
        sms = LocmemSmsBackend.outbox[-1][1]
        page.fill("input[name=code]", re.search(r"\b(\d{6})\b", sms).group(1))
        page.click("main button[type=submit]")
        page.wait_for_url("**" + reverse("accounts:register_password"))
        page.fill("input[name=display_name]", "Sùng Thị Mai")
        page.fill("input[name=password1]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        # The commune officer links the new account to her registry entry (her CCCD is not
        # needed for that: the officer knows her).
        citizen_link(
            actor=officer, person=person, login=User.objects.get(phone="+84987654321").username
        )

        # 2. The diagnostic: she cannot do anything yet.
        page.goto(base + reverse("learning:courses"))
        shot(page, "learning-01-courses")
        _fits(page)
        page.click(f"a[href='{reverse('learning:diagnostic')}']")
        # The radios are read only once the diagnostic page is there: read on the page being
        # left they would be none, and the form would go unanswered.
        page.wait_for_url("**" + reverse("learning:diagnostic"))
        page.locator("input[type=radio][value=no]").first.wait_for()
        for radio in page.locator("input[type=radio][value=no]").all():
            radio.check()
        shot(page, "learning-02-diagnostic")
        page.click("main button[type=submit].primary")
        page.wait_for_url("**" + reverse("learning:courses") + "#path")
        path = page.locator("#path ol li")
        assert path.count() == 11  # every shipped course, the AI course last
        assert "Dùng điện thoại thông minh an toàn" in path.first.inner_text()
        shot(page, "learning-03-path")

        # 3. The first course; lesson 3 by its address is refused.
        path.first.locator("a").click()
        page.wait_for_url("**" + reverse("learning:course", args=[code]))
        page.click("main button[type=submit].primary")
        page.wait_for_url("**" + reverse("learning:lesson", args=[code, 1]))
        shot(page, "learning-04-lesson-1")
        _fits(page)
        response = page.goto(base + reverse("learning:lesson", args=[code, 3]))
        assert response.status == 403
        assert "Bài này mở khi bạn học xong bài trước" in page.content()
        shot(page, "learning-05-lesson-3-refused")

        # 4. Finish the lessons, step by step.
        page.goto(base + reverse("learning:lesson", args=[code, 1]))
        for _ in range(6):
            page.locator("section.step form button[type=submit]").first.click()
            page.wait_for_load_state()
        page.wait_for_url("**" + reverse("learning:quiz", args=[code]))
        shot(page, "learning-06-quiz")
        _fits(page)

        # 5. Fail once (two wrong answers), wait, then pass.
        def answer(right: bool) -> None:
            q = page.locator("fieldset.question")
            q.nth(0).locator("input[value='0']" if right else "input[value='1']").check()
            q.nth(1).locator("input[value='1']" if right else "input[value='0']").check()
            q.nth(2).locator("input[value='1']").check()
            q.nth(3).locator("input[value='0']").check()
            for j in range(3):
                q.nth(4).locator(f"select[name=q4_{j}]").select_option(str(j + 1))
            page.click("form.quiz button[type=submit]")
            page.wait_for_load_state()

        answer(right=False)
        assert "Chưa đạt" in page.content()
        shot(page, "learning-07-failed")
        page.goto(base + reverse("learning:quiz", args=[code]))
        assert "Bạn có thể làm lại lúc" in page.content()  # the wait is enforced
        Enrollment.objects.filter(person=person).update(
            last_attempt_at=timezone.now() - dt.timedelta(minutes=11)
        )
        page.goto(base + reverse("learning:quiz", args=[code]))
        answer(right=True)
        cert = Certificate.objects.get(person=person)
        page.wait_for_url("**" + reverse("learning:certificate", args=[cert.pk]))
        assert page.locator(".qr-box svg").count() == 1
        shot(page, "learning-08-certificate")
        _fits(page)
        verify = page.locator(".certificate a[href*='/xac-minh/']").get_attribute("href")

        # 6. Her person page shows the skills the course gave.
        page.goto(base + reverse("ui:person", args=[person.pk]))
        skills = page.locator("#skills").inner_text()
        assert "Sử dụng điện thoại thông minh" in skills
        assert "Khoá học trực tuyến" in skills  # the channel
        shot(page, "learning-09-person")
        # The refusals answered 403 (lesson 3) and 429 (the wait): the only console messages.
        said = "Failed to load resource: the server responded with a status of"
        assert sorted(page.errors) == [
            f"{said} 403 (Forbidden)",
            f"{said} 429 (Too Many Requests)",
        ]

    # 7. Anyone scans the QR code: genuine.
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        page.goto(verify)
        assert "Còn hiệu lực" in page.locator(".verdict").inner_text()
        assert "Sùng Thị Mai" in page.content()
        assert "1972" in page.content()
        shot(page, "learning-10-verify-genuine")
        _fits(page)

    # 8. An officer withdraws one skill event (a back-check found it not gained): revoked.
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _login(page, base, officer.username, OFFICER_PASSWORD)
        page.goto(base + reverse("ui:person", args=[person.pk]))
        row = page.locator("#skills tbody tr").first
        row.locator("summary").click()
        row.locator("input[name=reason]").fill("Kiểm tra lại: chưa làm được")
        row.locator("form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(verify)
        assert "Đã thu hồi" in page.locator(".verdict").inner_text()
        shot(page, "learning-11-verify-revoked")
        assert page.errors == []
