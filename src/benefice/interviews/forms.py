"""Forms for the plain fields; the coding and review screens read their POST data in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from benefice.interviews.models import InterviewGuide, InterviewProject, Participant


class ProjectForm(forms.ModelForm):
    class Meta:
        model = InterviewProject
        fields = [
            "name",
            "description",
            "language",
            "keep_originals",
            "names_list",
            "kept_names",
            "masked_names",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "names_list": forms.Textarea(attrs={"rows": 4}),
            "kept_names": forms.Textarea(attrs={"rows": 3}),
            "masked_names": forms.Textarea(attrs={"rows": 3}),
        }


class ParticipantForm(forms.Form):
    code = forms.CharField(label=_("Pseudonymous code"), max_length=40)
    role = forms.CharField(label=_("Role"), required=False, max_length=200)
    organisation = forms.CharField(label=_("Kind of organisation"), required=False, max_length=200)
    data_source = forms.CharField(label=_("Data source concerned"), required=False, max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=200)
    consent_date = forms.DateField(
        label=_("Consent date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    retention_date = forms.DateField(
        label=_("Keep until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    visibility = forms.ChoiceField(label=_("Who may see"), choices=Participant.VISIBILITY)

    @classmethod
    def initial_for(cls, participant: Participant) -> dict:
        return {
            "code": participant.code,
            **participant.attributes,
            "legal_basis": participant.legal_basis,
            "consent_date": participant.consent_date,
            "retention_date": participant.retention_date,
            "visibility": participant.visibility,
        }


class GuideForm(forms.ModelForm):
    class Meta:
        model = InterviewGuide
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Transcript file"), help_text=_("txt (speaker tags like [id1] or NAME:), docx, odt, vtt, srt")
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    participant = forms.ModelChoiceField(
        label=_("Participant"), queryset=Participant.objects.none(), required=False
    )

    def __init__(self, *args, project: InterviewProject, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = project.participants.all()


class QdaImportForm(forms.Form):
    file = forms.FileField(label=_("REFI-QDA file (.qdpx project or .qdc codebook)"))
    pseudonymised = forms.BooleanField(
        label=_("The sources are already pseudonymised (otherwise each waits for review)"), required=False
    )
