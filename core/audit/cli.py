"""``flask --app wsgi audit verify|checkpoint``: the audit trail checked against its key and its
checkpoints, and its head given out to be written down elsewhere.

Messages are in the instance's language (``--lang`` to choose), as the other commands' reports.
"""

from __future__ import annotations

import re
import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from core.audit.anchor import Verdict, audit_anchor, verify_anchored, write_checkpoint
from core.audit.checkpoints import FileProblem
from core.audit.keys import AuditKeyError
from core.audit.trail import Anchor, ChainBreak
from core.cli_language import LANG, speaking
from core.clock import local
from core.web import services

audit_cli = AppGroup("audit", help="The audit trail: verify it, write its head down.")
EXPECTED_HEAD = re.compile(r"(\d+):([0-9a-f]{64})")


@audit_cli.command("verify")
@click.option("--expect", "expected", multiple=True, metavar="SEQ:HASH",
              help="A head written down earlier (audit checkpoint --print): the event at SEQ must "
                   "have HASH and the chain must reach SEQ. Repeatable.")
@LANG
def audit_verify(expected: tuple[str, ...], lang: str | None) -> None:
    """Check every link (keyed with the instance's audit key), every checkpoint in the
    instance folder and every --expect head; exit 1 naming the first event that disagrees."""
    with speaking(lang):
        heads = tuple(_expected_head(text) for text in expected)
        try:
            verdict = verify_anchored(services().db, audit_anchor(), heads)
        except AuditKeyError as exc:
            raise click.ClickException(str(exc)) from exc
        for line in verdict_lines(verdict):
            click.echo(line, err=not verdict.ok)
    sys.exit(0 if verdict.ok else 1)


@audit_cli.command("checkpoint")
@click.option("--print", "printed", is_flag=True,
              help="Print the head (seq, hash, time) to write down or send elsewhere.")
@click.option("--reason", default="by hand", show_default=True, help="Why, in the checkpoint line.")
@LANG
def audit_checkpoint(printed: bool, reason: str, lang: str | None) -> None:
    """Append the chain's head now to the checkpoints file (and with --print, show it)."""
    with speaking(lang):
        try:
            written = write_checkpoint(services().db, services().clock, audit_anchor(), reason)
        except AuditKeyError as exc:
            raise click.ClickException(str(exc)) from exc
        if not printed:
            click.echo(_("Checkpoint appended: seq %(seq)s.", seq=written.seq))
            return
        office = local(written.at, services().zone).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(_("seq:  %(seq)s", seq=written.seq))
        click.echo(_("hash: %(hash)s", hash=written.hash))
        click.echo(_("time: %(office)s office time (%(utc)s)", office=office, utc=written.at.isoformat()))
        click.echo(_("Check it later with: flask --app wsgi audit verify --expect %(seq)s:%(hash)s",
                     seq=written.seq, hash=written.hash))


def _expected_head(text: str) -> Anchor:
    match = EXPECTED_HEAD.fullmatch(text.strip().lower())
    if match is None:
        raise click.BadParameter(_("%(text)s is not SEQ:HASH (a number, a colon and the 64 hex "
                                   "digits audit checkpoint --print gave)", text=repr(text)),
                                 param_hint="--expect")
    return Anchor(int(match.group(1)), match.group(2), None, "head given with --expect")


def verdict_lines(verdict: Verdict) -> list[str]:
    """What ``audit verify`` says, in the current language: problems first, then the summary."""
    lines = []
    if verdict.key_missing:
        lines.append(_("The audit trail is keyed, but %(file)s is missing or is another "
                       "instance's key: its links cannot be checked. Put back the instance's own "
                       "audit.key.", file=audit_anchor().keyring.path))
    elif verdict.key is None:
        lines.append(_("Warning: this instance has no audit key (%(file)s): the links are plain "
                       "hashes that whoever holds the database could recompute. Run flask init to "
                       "create it.", file=audit_anchor().keyring.path))
    if verdict.file_problem is not None:
        lines.append(file_problem_text(verdict.file_problem))
    elif verdict.key is not None and not verdict.checkpoints:
        lines.append(_("Warning: no checkpoints file here (%(file)s): a cut tail or an older "
                       "database put back cannot be found from this instance folder (on several "
                       "servers, verify where the worker writes the checkpoints).",
                       file=audit_anchor().checkpoint_file))
    if verdict.broken is not None and verdict.broken.kind == "short":
        # the event named is the last one there is, and it is intact: what is missing comes after
        lines.append(_("BROKEN at event seq=%(seq)s (id=%(id)s): %(reason)s. The %(checked)s "
                       "events up to and including it are intact.", seq=verdict.broken.seq,
                       id=verdict.broken.event_id,
                       reason=break_text(verdict.broken, verdict.checked),
                       checked=verdict.checked))
    elif verdict.broken is not None:
        lines.append(_("BROKEN at event seq=%(seq)s (id=%(id)s): %(reason)s. %(checked)s events "
                       "before it are intact.", seq=verdict.broken.seq, id=verdict.broken.event_id,
                       reason=break_text(verdict.broken, verdict.checked),
                       checked=verdict.checked))
    elif verdict.ok:
        lines.append(_("OK: %(events)s events, chain intact; %(lines)s checkpoint(s) agree.",
                       events=verdict.checked, lines=len(verdict.checkpoints)))
    return lines


def break_text(broken: ChainBreak, checked: int) -> str:
    """Why an event disagrees, in the current language (``checked``: the events before it,
    seq 1 to ``checked``, all intact)."""
    anchor = broken.anchor
    where = _anchor_text(anchor) if anchor is not None else ""
    texts = {
        "gap": lambda: _("the sequence jumps from %(before)s to %(seq)s (events were deleted)",
                         before=checked, seq=broken.seq),
        "link": lambda: _("its previous-hash does not match the event before it"),
        "edited": lambda: _("its content does not match its hash (the row was edited, or its link "
                            "recomputed without the key)"),
        "unkeyed": lambda: _("its link is a plain hash where the key was due (the chain was "
                             "recomputed without the key)"),
        "head": lambda: _("the chain head does not match the last event (events were deleted "
                          "from the end)"),
        "checkpoint": lambda: _("it is not the event %(where)s recorded at this seq", where=where),
        "short": lambda: _("the chain ends here, but %(where)s recorded seq %(seq)s: later events "
                           "were removed, or an older database was restored",
                           where=where, seq=anchor.seq if anchor else 0),
    }
    text = texts.get(broken.kind)
    return text() if text is not None else broken.reason


def _anchor_text(anchor: Anchor) -> str:
    if not anchor.line:
        return _("the head given with --expect")
    at = local(anchor.at, services().zone).strftime("%Y-%m-%d %H:%M:%S") if anchor.at else ""
    return _("the checkpoint of %(at)s (line %(line)s of the checkpoints file)", at=at, line=anchor.line)


def file_problem_text(problem: FileProblem) -> str:
    reasons = {
        "garbled": _("not a checkpoint line"),
        "order": _("it does not follow the line before it (a line was removed, inserted or edited)"),
        "nokey": _("it is keyed and this instance has no audit key"),
        "unkeyed": _("an unkeyed line after keyed ones"),
        "edited": _("its content does not match its MAC (the line was edited)"),
        "missing": _("no keyed checkpoint: the file was emptied or replaced since the key was created"),
    }
    return _("Checkpoints file %(file)s, line %(line)s: %(reason)s.",
             file=audit_anchor().checkpoint_file, line=problem.line,
             reason=reasons.get(problem.kind, problem.reason))
