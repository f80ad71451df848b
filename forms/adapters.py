"""What the forms package offers the packages below it: the providers the composition root
(``core.app``) puts into :class:`archive.ports.ArchivePorts` and :class:`search.ports.SearchPorts`.

The archive and search do not read form specs; each need of theirs that depends on a spec is
answered here, by a function that runs inside an app context and reads the app's services.
Not imported by ``forms/__init__`` (a fresh process printing a PDF imports only what it uses).
"""

from __future__ import annotations

from archive.disposal import DisposalHooks
from archive.filing import FilingRule
from core.auth.roles import Actor
from core.web import services
from forms import catalogue_print, registers, search_documents
from forms.customers.view import NotANumber, codes_with_customers, find_customer
from forms.filing_rules import filing_rules as rules_of_current_specs
from forms.spec_disclosure import SpecDisclosure, shown_hits
from search.ports import CustomerHints

__all__ = ["SpecDisclosure", "catalogue_printer", "customer_hints", "disposal_hooks", "facet_labels",
           "filing_rules", "record_documents", "shown_hits"]


def record_documents() -> search_documents.RecordDocuments:
    """The records to index, as the specs make them searchable (``SearchPorts.documents``)."""
    return search_documents.RecordDocuments(services().db)


def facet_labels(locale: str) -> dict[str, dict[str, str]]:
    """Form titles, state and department names for search's facets (``SearchPorts.facet_labels``)."""
    return search_documents.facet_labels(services().db, locale)


def filing_rules() -> dict[str, FilingRule]:
    """Each form's filing rule by its current version (``ArchivePorts.filing_rules``)."""
    return rules_of_current_specs(services().db)


def catalogue_printer() -> catalogue_print.CataloguePrint:
    """The catalogue's printer with this app's renderer (``ArchivePorts.catalogue_printer``)."""
    return catalogue_print.app_catalogue_printer(services().db)


def disposal_hooks() -> DisposalHooks:
    """Filing the destruction register and forgetting a destroyed record's claims and index
    entry (``ArchivePorts.disposal_hooks``)."""
    s = services()
    return registers.disposal_hooks(s.db, s.clock, s.zone)


def customer_hints(actor: Actor, text: str, codes: list[str]) -> CustomerHints:
    """The customer a searched number belongs to, and which hits have one (``SearchPorts.customers``)."""
    db = services().db
    try:
        found = find_customer(db, actor, text) if text.strip() else None
    except NotANumber:
        found = None
    return CustomerHints(found, codes_with_customers(db, codes))
