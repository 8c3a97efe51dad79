"""The command-line tools: import_registry, synth, rotate_id_key."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from hocvuso.registry.models import Household, Person
from tests.registry.test_import_service import MIXED, _csv

pytestmark = pytest.mark.django_db


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_import_registry_prints_counts_and_writes_rejects(commune, village, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(_csv(MIXED))
    rejects = tmp_path / "bad.csv"
    call_command("import_registry", str(path), "--commune", "00715", "--rejects", str(rejects))
    captured = capsys.readouterr()
    assert _last_json(captured.out) == {
        "read": 8,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 5,
    }
    assert "8/8" in captured.err  # the progress bar reached the end
    assert len(rejects.read_text(encoding="utf-8-sig").strip().splitlines()) == 6
    call_command("import_registry", str(path), "--commune", "715")
    assert _last_json(capsys.readouterr().out)["unchanged"] == 3


def test_import_registry_dry_run_and_villages(commune, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(_csv(MIXED[:3]))
    call_command("import_registry", str(path), "--commune", "00715", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out
    assert "Thôn Thèn Pả" in out  # named as a village that does not exist
    assert _last_json(out)["rejected"] == 3
    assert Person.objects.count() == 0
    call_command("import_registry", str(path), "--commune", "00715", "--create-villages")
    assert _last_json(capsys.readouterr().out)["inserted"] == 3


def test_import_registry_errors(tmp_path):
    with pytest.raises(CommandError, match="unknown commune"):
        call_command("import_registry", str(tmp_path / "x.csv"), "--commune", "99999")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"just,some,words\n1,2,3\n")
    with pytest.raises(CommandError, match="header_not_found"):
        call_command("import_registry", str(empty), "--commune", "00715")


def test_synth_imports_a_commune_and_is_repeatable(units, capsys):
    call_command("synth", "--commune", "00715", "--households", "30")
    first = _last_json(capsys.readouterr().out)
    assert first["rejected"] == 0
    assert first["inserted"] == Person.objects.count() > 60
    assert Household.objects.count() == 30
    call_command("synth", "--commune", "00715", "--households", "30")
    again = _last_json(capsys.readouterr().out)
    assert (again["inserted"], again["unchanged"]) == (0, first["inserted"])


def test_synth_writes_a_messy_spreadsheet(units, tmp_path, capsys):
    out = tmp_path / "messy.xlsx"
    call_command("synth", "--commune", "00715", "--households", "20", "--out", str(out), "--messy")
    assert out.read_bytes()[:2] == b"PK"
    call_command("import_registry", str(out), "--commune", "00715", "--create-villages")
    counts = _last_json(capsys.readouterr().out)
    assert counts["read"] == counts["inserted"] + counts["rejected"]
    assert counts["rejected"] > 0


def test_rotate_id_key_command(head, settings, capsys):
    settings.HOCVUSO_ID_KEYS = ["a-brand-new-key-for-2027", *settings.HOCVUSO_ID_KEYS]
    call_command("rotate_id_key")
    assert _last_json(capsys.readouterr().out) == {"rewritten": 1}
    from hocvuso.core.models import AuditLog

    [row] = AuditLog.objects.filter(action="id_key.rotate")
    assert (row.actor_id, row.changes["rewritten"], row.changes["finished"]) == (None, 1, True)
