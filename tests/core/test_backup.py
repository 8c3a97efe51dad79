"""Backups that restore: every table's rows come back exactly, into a fresh database and over a
changed one, and the summaries still equal a recount; the keys are not in the file."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hocvuso.core.backup import backup, content_digest, restore
from hocvuso.kpi import summaries
from hocvuso.privacy.services import consent_record
from hocvuso.registry.models import Person
from tests.factories import record

pytestmark = pytest.mark.django_db(transaction=True)


def _world(officer, head, member):  # type: ignore[no-untyped-def]
    record(officer, head, "bank.account")
    record(officer, member, "vneid.install")
    consent_record(actor=officer, person=head, purpose="skills", method="paper")


def _skip_without_client() -> None:
    import shutil

    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (Debian: postgresql-client): backup test skipped")


def test_round_trip_into_an_emptied_database(officer, head, member, tmp_path):
    _skip_without_client()
    _world(officer, head, member)
    before = content_digest()
    assert before["registry_person"][0] == 2
    assert before["skills_skillevent"][0] == 2
    path = backup(tmp_path / "hocvuso.backup")
    assert path.stat().st_size > 0
    call_command("flush", "--no-input")  # every table emptied: as a new server's database
    assert content_digest()["registry_person"][0] == 0
    restore(path)
    connection.close()
    assert content_digest() == before
    assert summaries.check() == []


def test_restore_over_a_changed_database_brings_everything_back(
    officer, head, member, tmp_path, settings
):
    _skip_without_client()
    _world(officer, head, member)
    assert summaries.check() == []
    before = content_digest()
    call_command("backup", str(tmp_path / "b.backup"))
    # Things change after the backup …
    record(officer, head, "pay.qr")
    Person.objects.filter(pk=member.pk).update(full_name="Sửa sau sao lưu")
    assert content_digest() != before
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "b.backup"))  # without --yes: refused
    call_command("restore", str(tmp_path / "b.backup"), "--yes")
    connection.close()
    assert content_digest() == before
    assert summaries.check() == []
    assert Person.objects.get(pk=member.pk).full_name == "Giàng Thị Mỷ"


def test_the_backup_holds_no_key_and_no_plain_identifier(officer, head, member, tmp_path):
    _skip_without_client()
    _world(officer, head, member)
    path = backup(tmp_path / "k.backup")
    data = path.read_bytes()
    if connection.vendor == "postgresql":  # compressed: read it as the SQL it restores
        import shutil
        import subprocess

        pg_restore = shutil.which("pg_restore")
        assert pg_restore is not None
        data = subprocess.run(
            [pg_restore, "--file=-", str(path)], capture_output=True, check=True
        ).stdout
    assert b"registry_person" in data  # the scan reads the data
    from django.conf import settings

    for secret in [*settings.HOCVUSO_ID_KEYS, "002070123456"]:
        assert secret.encode() not in data
