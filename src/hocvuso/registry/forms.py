"""Forms of the registry pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.core.web import NoEchoTextInput
from hocvuso.geo.models import Village, VillageKind
from hocvuso.registry.ethnicity import ETHNIC_GROUPS
from hocvuso.registry.models import Occupation, Person, Relationship, Sex

BLANK = [("", "—")]
MAX_CSV_BYTES = 2 * 1024 * 1024


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Guess from the name")), *VillageKind.choices],
    )
    is_remote = forms.BooleanField(label=_("Remote / difficult area"), required=False)
    is_ethnic_minority = forms.BooleanField(label=_("Ethnic-minority area"), required=False)


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One village per row. Columns: name (Tên thôn), kind (Loại), remote (Vùng khó khăn), "
            "ethnic minority (Dân tộc thiểu số); write x or 1 for yes."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is too large (2 MB at most)."), code="too_big")
        return f


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("Household code"), max_length=32)
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Village.objects.none(), required=False, empty_label="—"
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["village"]).queryset = villages


class HeadForm(forms.Form):
    head = forms.ModelChoiceField(
        label=_("Head of household"), queryset=Person.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["head"]).queryset = members


class PersonForm(forms.Form):
    """Add or edit a person. Ethnicity and special needs exist only for roles allowed to see
    them; on edit the CCCD box starts empty ("leave empty to keep") and can remove the number."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    birth = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=10,
        help_text=_("dd/mm/yyyy, or the year alone (e.g. 1970)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), required=False, choices=[*BLANK, *ETHNIC_GROUPS]
    )
    cccd = forms.CharField(
        label=_("CCCD (citizen ID) number"),
        required=False,
        max_length=20,
        help_text=_("12 digits. Leave empty if the person has none."),
        widget=NoEchoTextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    remove_cccd = forms.BooleanField(label=_("Remove the CCCD number on record"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), required=False, choices=[*BLANK, *Occupation.choices]
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the head"),
        required=False,
        choices=[*BLANK, *Relationship.choices],
    )
    special_needs = forms.CharField(
        label=_("Special needs"),
        required=False,
        help_text=_("For example: disability, poor eyesight, cannot read."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Adding only, once the matches were offered (registry.walk_in_check).
    confirmed_new = forms.BooleanField(
        label=_("None of them: it is someone else, add them"), required=False
    )

    def __init__(
        self,
        *args: Any,
        sensitive: bool,
        editing: bool = False,
        has_cccd: bool = False,
        offered: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.sensitive = sensitive
        if editing:
            del self.fields["confirmed_new"]
        elif not offered:
            self.fields["confirmed_new"].widget = forms.HiddenInput()
        if not sensitive:
            del self.fields["ethnicity"]
            del self.fields["special_needs"]
        if editing:
            self.fields["cccd"].help_text = (
                _("Leave empty to keep the current number.")
                if has_cccd
                else _("12 digits. Leave empty if the person has none.")
            )
        if not (editing and has_cccd):
            del self.fields["remove_cccd"]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the full number needed?"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


IMPORT_EXTENSIONS = (".csv", ".xlsx", ".txt")


class RegistryImportForm(forms.Form):
    """Upload of a commune's resident list (the bulk import runs in the background)."""

    file = forms.FileField(
        label=_("File of residents"),
        help_text=_("Excel (.xlsx) or CSV / text (.csv, .txt)."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,.txt,text/csv,text/plain,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    sheet = forms.CharField(
        label=_("Sheet name (optional)"),
        required=False,
        max_length=100,
        help_text=_("Excel files only. Leave empty to read the first sheet."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check only, write nothing"), required=False)
    create_villages = forms.BooleanField(
        label=_("Create villages named in the file that don't exist yet"), required=False
    )

    def clean_file(self) -> Any:
        from django.conf import settings

        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError(
                _("Choose an Excel (.xlsx) or CSV (.csv, .txt) file."), code="file_type"
            )
        limit = settings.HOCVUSO_IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB at most).")
                % {"size": f"{limit / (1024 * 1024):g}"},
                code="too_big",
            )
        return f


class VillageDecisionForm(forms.Form):
    """For each village name of an import that does not exist yet: create it, map its rows to an
    existing village of the commune, or reject its rows."""

    CREATE = "create"
    REJECT = "reject"

    def __init__(self, *args: Any, names: list[str], villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = list(names)
        existing = [(str(v.pk), v.name) for v in villages]
        choices: list[Any] = [(self.CREATE, _("Create it as a new village"))]
        if existing:
            choices.append((_("Same as an existing village"), existing))
        choices.append((self.REJECT, _("Reject its rows")))
        for index, name in enumerate(self.names):
            self.fields[f"village_{index}"] = forms.ChoiceField(
                label=name, choices=choices, initial=self.CREATE
            )

    def decisions(self) -> dict[str, str]:
        """Village name → "create" | existing village id | "reject"."""
        return {
            name: self.cleaned_data[f"village_{index}"] for index, name in enumerate(self.names)
        }


class AreaFlagsForm(forms.Form):
    """Two ticks per commune of a province: remote / difficult area, ethnic-minority area."""

    def __init__(self, *args: Any, communes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = communes
        for c in communes:
            self.fields[f"remote_{c.code}"] = forms.BooleanField(
                label=_("remote / difficult area"), required=False, initial=c.is_remote
            )
            self.fields[f"minority_{c.code}"] = forms.BooleanField(
                label=_("ethnic-minority area"), required=False, initial=c.is_ethnic_minority
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(c, self[f"remote_{c.code}"], self[f"minority_{c.code}"]) for c in self.communes]

    def flags(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            c.code: (bool(data[f"remote_{c.code}"]), bool(data[f"minority_{c.code}"]))
            for c in self.communes
        }


class MoveForm(forms.Form):
    """Move a person or a household to another commune: its official code, and the code of
    the household there (a person's new household; a household keeps its own when empty)."""

    commune = forms.RegexField(
        label=_("Official code of the commune they move to"),
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={"invalid": _("Five digits, e.g. 00715.")},
    )
    code = forms.CharField(label=_("Household code there"), max_length=32, required=False)

    def __init__(self, *args: Any, picks: list[Any] | None = None, **kwargs: Any) -> None:
        """``picks``: the communes the picker found; then the commune is chosen among them (one
        tap, no code to type) and a code from outside them is refused."""
        super().__init__(*args, **kwargs)
        if picks:
            self.fields["commune"] = forms.ChoiceField(
                label=_("The commune they move to"),
                widget=forms.RadioSelect,
                choices=[
                    (c.code, f"{c.name} — {c.province.name} ({_('code')} {c.code})") for c in picks
                ],
                initial=picks[0].code if len(picks) == 1 else None,
            )
