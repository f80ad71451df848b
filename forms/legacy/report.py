"""A legacy import's report, as the command prints it, in the language asked for.

One line per problem, naming the sheet, the row as the spreadsheet numbers it and the column by
its header, then a summary. Messages are made in the report's language when the rows are
checked (the command runs the whole import under that locale), so only the frame is here.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from archive.numbering import format_code
from forms.legacy.checking import Problem
from forms.legacy.service import ImportReport


def problem_line(problem: Problem) -> str:
    if problem.column:
        return _("Sheet “%(sheet)s”, row %(row)d, column “%(column)s”: %(message)s", sheet=problem.sheet,
                 row=problem.row, column=problem.column, message=problem.message)
    return _("Sheet “%(sheet)s”, row %(row)d: %(message)s", sheet=problem.sheet, row=problem.row,
             message=problem.message)


def report_lines(report: ImportReport, *, committed: bool) -> Iterator[str]:
    """Every problem, then the summary lines."""
    for problem in report.problems:
        yield problem_line(problem)
    forms = ", ".join(f"{form} {count}" for form, count in sorted(report.by_form.items())) or "—"
    yield _("%(file)s: %(rows)d row(s) read; without problems: %(forms)s; %(scans)d scan(s).",
            file=report.file, rows=report.rows, forms=forms, scans=report.scans)
    if report.problems:
        yield _("%(count)d problem(s) in %(rows)d row(s). Nothing was imported: correct the file and run "
                "the command again.", count=len(report.problems), rows=report.rows_with_problems)
    elif not committed:
        yield _("No problems found. This was a dry run: nothing was written. Run again with --commit "
                "to import.")
    elif report.written is not None:
        written = report.written
        yield _("Imported %(count)d record(s) (%(filed)d filed) in %(seconds).1f s; %(minted)d code(s) "
                "given to rows without one.", count=written.total, filed=written.filed,
                seconds=report.write_seconds, minted=len(written.minted))
        for (form, year), value in sorted(written.counters.items()):
            following = format_code(form, year, value + 1)
            yield _("Counter %(form)s-%(year)d is at %(value)d: the next code is %(next)s.", form=form,
                    year=year, value=value, next=following)
        yield _("Their archival PDF/A copies and index entries are queued: `flask --app wsgi outbox run` "
                "makes them.")
