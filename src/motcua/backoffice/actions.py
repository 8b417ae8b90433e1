"""The officer pages' door to the dossier actions: every action of the lifecycle table that has a
door, under its Vietnamese URL slug, with the form that shapes its inputs.

Which actions exist, who may take them and when is `dossiers.lifecycle`; this module only adds the
web's form for each row (a test checks that every row has one, with exactly the row's inputs)."""

from dataclasses import dataclass

from motcua.backoffice import forms
from motcua.dossiers import lifecycle

FORMS: dict[str, type[forms.ActionForm]] = {
    "accepted": forms.ActionForm,
    "not_accepted": forms.ReasonForm,
    "forwarded": forms.NoteForm,
    "transferred": forms.TransferForm,
    "supplement_requested": forms.ContentForm,
    "supplement_received": forms.NoteForm,
    "financial_obligation_requested": forms.ObligationForm,
    "financial_obligation_fulfilled": forms.NoteForm,
    "apologised": forms.ApologyForm,
    "resolved": forms.ResultForm,
    "result_returned": forms.ReturnForm,
    "payment_recorded": forms.PaymentForm,
    "stopped": forms.ReasonForm,
    "rejected": forms.ReasonForm,
    "withdrawn": forms.ReasonForm,
}


@dataclass(frozen=True)
class WebAction:
    action: lifecycle.Action
    form_class: type[forms.ActionForm]

    @property
    def kind(self) -> str:
        return self.action.kind

    @property
    def slug(self) -> str:  # the URL's
        return self.action.web_slug

    @property
    def label(self):
        return self.action.label

    @property
    def done(self):
        return self.action.done

    @property
    def danger(self) -> bool:
        return self.action.danger


# Forward-moving actions first, those that end or refuse the dossier last (as the page shows them).
WEB_ACTIONS: tuple[WebAction, ...] = tuple(
    WebAction(action, FORMS[action.kind])
    for action in sorted(lifecycle.DOOR_ACTIONS, key=lambda action: action.danger)
)
BY_SLUG = {web.slug: web for web in WEB_ACTIONS}
