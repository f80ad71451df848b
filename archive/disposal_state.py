"""What every step of a destruction list shares: its states as people read them, the refusal
its services raise, and the list row locked in the state a step needs (archive.disposal,
archive.witnesses)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from archive.models import DisposalList
from core.auth.roles import NotFound
from core.problems import FieldProblems

OPEN_STATES = ("proposed", "approved")


class DisposalRefused(FieldProblems):
    """The step cannot be taken; ``errors`` names what is wrong."""


def state_labels() -> dict[str, str]:
    """A destruction list's states as people read them (in the request's language)."""
    return {"proposed": _("awaiting approval"), "approved": _("approved, awaiting execution"),
            "rejected": _("rejected"), "executed": _("executed")}


def locked_list(session: Session, list_id: int, state: str) -> DisposalList:
    """The list, its row locked for this transaction, if it is in ``state``; otherwise refused
    naming the state it is in (NotFound for no such list)."""
    listed = session.get(DisposalList, list_id, with_for_update=True)
    if listed is None:
        raise NotFound(_("No destruction list %(id)d.", id=list_id))
    if listed.state != state:
        labels = state_labels()
        raise DisposalRefused({"list": _("Destruction list %(id)d is %(state)s, not %(wanted)s.",
                                         id=list_id, state=labels[listed.state], wanted=labels[state])})
    return listed
