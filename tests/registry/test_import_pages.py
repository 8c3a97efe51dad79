"""The bulk import pages: upload, follow the job, confirm new villages, download the rejects."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from hocvuso.core.models import AuditLog
from hocvuso.geo.models import Village
from hocvuso.registry.cccd import mask_cccd_cell, mask_digits
from hocvuso.registry.importing.jobs import import_job_create
from hocvuso.registry.importing.template import TEMPLATE_HEADERS
from hocvuso.registry.models import ImportJob, Person
from tests.factories import db_fingerprint

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADERS = [
    "Mã hộ",
    "Thôn/Tổ dân phố",
    "Địa chỉ",
    "Họ và tên",
    "Quan hệ với chủ hộ",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Số điện thoại",
    "Nghề nghiệp",
    "Ghi chú đặc biệt",
]
GOOD_1 = [
    "HGD-1",
    "Thôn Thèn Pả",
    "Số 1",
    "Nguyễn Văn An",
    "Chủ hộ",
    "15/03/1975",
    "Nam",
    "Kinh",
    "002075000111",
    "0912 345 678",
    "Làm ruộng",
    "",
]
GOOD_2 = [
    "HGD-1",
    "Thôn Thèn Pả",
    "Số 1",
    "Trần Thị Bình",
    "Vợ",
    "02/09/1980",
    "Nữ",
    "Kinh",
    "002180000222",
    "",
    "Nội trợ",
    "",
]
BAD_CCCD = [
    "HGD-2",
    "Thôn Thèn Pả",
    "Số 2",
    "Lò Văn Cường",
    "Chủ hộ",
    "1960",
    "Nam",
    "Thái",
    "0020600003",
    "",
    "",
    "",
]


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def make_csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client, commune, data: bytes, name: str = "danh-sach.csv", **extra):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("registry:import_start", args=[commune.code]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra},
    )


@pytest.fixture
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE


def test_headers_are_the_published_template():
    assert HEADERS == TEMPLATE_HEADERS


def test_mask_hides_every_twelve_digit_number():
    assert mask_digits("CCCD 002075000111, ĐT 0912345678") == "CCCD *********111, ĐT 0912345678"
    assert mask_digits("002 075 000 111") == "*********111"
    assert mask_digits("0020750001112") == "0020750001112"  # 13 digits: not a CCCD
    assert mask_cccd_cell("0020600003") == "*********003"
    assert mask_cccd_cell("12") == "***"
    assert mask_cccd_cell(" ") == ""


def test_start_page_shows_form_templates_and_link_from_commune(officer_client, commune):
    page = html(officer_client.get(reverse("ui:commune", args=[commune.code])))
    assert reverse("registry:import_start", args=[commune.code]) in page
    assert "Nhập danh sách dân cư" in page

    response = officer_client.get(reverse("registry:import_start", args=[commune.code]))
    assert response.status_code == 200
    page = html(response)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="file"' in page
    assert 'name="sheet"' in page
    assert 'name="dry_run"' in page
    assert 'name="create_villages"' in page
    assert reverse("registry:import_template", args=[commune.code, "xlsx"]) in page
    assert reverse("registry:import_template", args=[commune.code, "csv"]) in page
    assert "Chưa có lần nhập nào" in page  # no job yet


def test_upload_runs_and_shows_counts_and_rejects(
    officer_client, commune, village, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(officer_client, commune, make_csv(GOOD_1, GOOD_2, BAD_CCCD))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_job", args=[job.pk])
    assert job.created_by is not None
    assert job.filename == "danh-sach.csv"
    assert job.status == "done"
    assert job.counts() == {"read": 3, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert sorted(Person.objects.values_list("full_name", flat=True)) == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ]

    response = officer_client.get(response["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    assert 'http-equiv="refresh"' not in page
    assert "Refresh" not in response
    counts = dict(
        zip(["read", "inserted", "updated", "unchanged", "rejected"], [3, 2, 0, 0, 1], strict=True)
    )
    for name, value in counts.items():
        assert getattr(response.context["job"], name) == value
    assert "(2 + 0 + 0 + 1 = 3)" in page
    rejects = response.context["rejects"]
    assert [(r["row"], r["code"]) for r in rejects] == [(4, "cccd_format")]
    assert "cccd_format" not in page  # the reason in Vietnamese, never the code
    assert rejects[0]["message"] in page
    assert "Lò Văn Cường" in page
    # The CCCD cell is masked, never shown.
    assert "0020600003" not in page
    assert "*********003" in page
    assert "002075000111" not in page
    assert reverse("registry:import_rejects", args=[job.pk]) in page

    # The recent jobs list on the upload page links to the job.
    page = html(officer_client.get(reverse("registry:import_start", args=[commune.code])))
    assert reverse("registry:import_job", args=[job.pk]) in page
    assert "danh-sach.csv" in page

    # The rejects file: row number, code, reason and the original cells.
    response = officer_client.get(reverse("registry:import_rejects", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="loi-danh-sach.csv"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][3:] == HEADERS
    assert len(rows) == 2
    assert rows[1][0] == "4"
    assert rows[1][1] == "cccd_format"
    assert rows[1][3:] == BAD_CCCD
    assert AuditLog.objects.filter(action="import.download_rejects").count() == 1


@pytest.mark.django_db(transaction=True)
def test_job_waits_for_the_database_worker(officer_client, commune, village):
    """The real backend (django_tasks_db): the page refreshes while queued, then shows it done.

    Transactional: the worker sees committed rows and may close and reopen its connection, as a
    worker process does (inside a test transaction PostgreSQL's connection would be closed)."""
    upload(officer_client, commune, make_csv(GOOD_1, GOOD_2, BAD_CCCD))
    job = ImportJob.objects.get()
    assert job.status == "queued"

    response = officer_client.get(reverse("registry:import_job", args=[job.pk]))
    page = html(response)
    assert response.context["job"].get_status_display() == "Đang chờ"
    assert "Đang chờ" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert response["Refresh"] == "2"
    assert "<progress" in page
    assert Person.objects.count() == 0

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert job.status == "done"
    response = officer_client.get(reverse("registry:import_job", args=[job.pk]))
    page = html(response)
    assert 'http-equiv="refresh"' not in page
    assert "<progress" not in page
    assert "(2 + 0 + 0 + 1 = 3)" in page
    assert Person.objects.count() == 2


def test_running_job_shows_progress(officer_client, commune, officer):
    job = import_job_create(actor=officer, commune=commune, filename="a.csv", data=b"x")
    ImportJob.objects.filter(pk=job.pk).update(status="running", done=250, total=1000)
    response = officer_client.get(reverse("registry:import_job", args=[job.pk]))
    page = html(response)
    assert response.context["percent"] == 25
    assert '<progress class="bar" max="1000" value="250"' in page
    assert "(25%)" in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_failed_job_shows_the_error(
    officer_client, commune, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(officer_client, commune, b"\x00\x01\x02 not a table", name="rac.csv")
    job = ImportJob.objects.get()
    assert job.status == "failed"
    response = officer_client.get(reverse("registry:import_job", args=[job.pk]))
    assert response.status_code == 200
    page = html(response)
    assert job.error
    assert job.error.split(": ", 1)[-1] in page.replace("&quot;", '"')
    assert 'http-equiv="refresh"' not in page


def test_dry_run_writes_nothing(
    officer_client, commune, village, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(officer_client, commune, make_csv(GOOD_1, GOOD_2), dry_run="on")
    job = ImportJob.objects.get()
    assert job.dry_run is True
    assert job.status == "done"
    assert Person.objects.count() == 0
    page = html(officer_client.get(reverse("registry:import_job", args=[job.pk])))
    assert "Chạy thử" in page


NEW_VILLAGE_ROWS = [
    ["HGD-9", "Bản Mới", "", "Vàng Seo Dính", "Chủ hộ", "1982", "Nam", "Mông", "", "", "", ""],
    ["HGD-9", "Bản Mới", "", "Vàng Thị Dợ", "Vợ", "1985", "Nữ", "Mông", "", "", "", ""],
]


def _needs_confirmation(client, commune, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        upload(client, commune, make_csv(*NEW_VILLAGE_ROWS))
    job = ImportJob.objects.get()
    assert job.status == "needs_confirmation"
    assert job.new_villages == ["Bản Mới"]
    return job


def test_new_village_confirmed_by_creating_it(
    officer_client, commune, village, immediate_tasks, django_capture_on_commit_callbacks
):
    job = _needs_confirmation(officer_client, commune, django_capture_on_commit_callbacks)
    assert not Village.objects.filter(commune=commune, name="Bản Mới").exists()
    response = officer_client.get(reverse("registry:import_job", args=[job.pk]))
    page = html(response)
    assert "Bản Mới" in page
    assert reverse("registry:import_confirm", args=[job.pk]) in page
    assert f'value="{village.pk}"' in page  # the existing villages to map to
    assert 'http-equiv="refresh"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("registry:import_confirm", args=[job.pk]), {"village_0": "create"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done"
    assert job.counts() == {"read": 2, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    created = Village.objects.get(commune=commune, name="Bản Mới")
    assert set(Person.objects.values_list("household__village", flat=True)) == {created.pk}
    assert "(2 + 0 + 0 + 0 = 2)" in html(officer_client.get(response["Location"]))


def test_new_village_mapped_to_an_existing_one(
    officer_client, commune, village, immediate_tasks, django_capture_on_commit_callbacks
):
    job = _needs_confirmation(officer_client, commune, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("registry:import_confirm", args=[job.pk]), {"village_0": str(village.pk)}
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    assert job.inserted == 2
    assert not Village.objects.filter(commune=commune, name="Bản Mới").exists()
    assert set(Person.objects.values_list("household__village", flat=True)) == {village.pk}


def test_new_village_rejected_and_bad_choice(
    officer_client, commune, village, other_commune, officer, immediate_tasks,
    django_capture_on_commit_callbacks, other_officer,
):  # fmt: skip
    job = _needs_confirmation(officer_client, commune, django_capture_on_commit_callbacks)
    from hocvuso.registry.services import village_create

    elsewhere = village_create(actor=other_officer, commune=other_commune, name="Tổ 1")
    # A village of another commune is not a choice: form error, the job still waits.
    response = officer_client.post(
        reverse("registry:import_confirm", args=[job.pk]), {"village_0": str(elsewhere.pk)}
    )
    assert response.status_code == 400
    job.refresh_from_db()
    assert job.status == "needs_confirmation"
    assert "Bản Mới" in html(response)

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            reverse("registry:import_confirm", args=[job.pk]), {"village_0": "reject"}
        )
    job.refresh_from_db()
    assert job.status == "done"
    assert (job.read, job.inserted, job.rejected) == (2, 0, 2)
    assert Person.objects.count() == 0


def test_template_downloads(officer_client, commune):
    from openpyxl import load_workbook

    response = officer_client.get(reverse("registry:import_template", args=[commune.code, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="mau-danh-sach-dan-cu.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS

    response = officer_client.get(reverse("registry:import_template", args=[commune.code, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mau-danh-sach-dan-cu.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    first = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert first == HEADERS

    response = officer_client.get(reverse("registry:import_template", args=[commune.code, "pdf"]))
    assert response.status_code == 404


def test_oversized_or_wrong_file_is_a_form_error(officer_client, commune, settings):
    settings.HOCVUSO_IMPORT_MAX_BYTES = 100
    before = AuditLog.objects.count()
    response = upload(officer_client, commune, make_csv(GOOD_1, GOOD_2))
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "too_big")
    assert "quá lớn" in html(response)

    settings.HOCVUSO_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(officer_client, commune, b"%PDF-1.4", name="danh-sach.pdf")
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "file_type")
    assert ImportJob.objects.count() == 0
    assert AuditLog.objects.count() == before


def test_unknown_or_missing_job_is_404(officer_client):
    import uuid

    for name in ["registry:import_job", "registry:import_rejects"]:
        assert officer_client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404
    assert (
        officer_client.post(
            reverse("registry:import_confirm", args=[uuid.uuid4()]), {"village_0": "create"}
        ).status_code
        == 404
    )
    assert officer_client.get(reverse("registry:import_start", args=["99999"])).status_code == 404


def test_citizen_gets_404_and_changes_nothing(
    citizen_client, client, commune, village, officer, immediate_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=officer, commune=commune, filename="x.csv", data=make_csv(*NEW_VILLAGE_ROWS)
        )
    job.refresh_from_db()
    assert job.status == "needs_confirmation"
    before = (db_fingerprint(), ImportJob.objects.count(), list(ImportJob.objects.values()))
    for url in [
        reverse("registry:import_start", args=[commune.code]),
        reverse("registry:import_template", args=[commune.code, "xlsx"]),
        reverse("registry:import_template", args=[commune.code, "csv"]),
        reverse("registry:import_job", args=[job.pk]),
        reverse("registry:import_rejects", args=[job.pk]),
    ]:
        assert citizen_client.get(url).status_code == 404, url
        assert client.get(url).status_code == 302, url  # anonymous: to the login page
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(citizen_client, commune, make_csv(GOOD_1))
        assert response.status_code == 404
        response = citizen_client.post(
            reverse("registry:import_confirm", args=[job.pk]), {"village_0": "create"}
        )
        assert response.status_code == 404
    after = (db_fingerprint(), ImportJob.objects.count(), list(ImportJob.objects.values()))
    assert after == before
