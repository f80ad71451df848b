"""The front office's URL map: every forms page in one place."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from forms.views import (
    actions,
    admin,
    day_register,
    files,
    filing,
    filling,
    inbox,
    records,
    reveal,
    statistics,
)

bp = Blueprint("forms", __name__)

bp.add_url_rule("/", "home", lambda: redirect(url_for("forms.catalogue")))
bp.add_url_rule("/forms", "catalogue", filling.catalogue)
bp.add_url_rule("/forms/<form_code>/new", "new_form", filling.new_form, methods=["GET", "POST"])
bp.add_url_rule("/drafts/<id:draft_id>", "resume_draft", filling.resume_draft,
                methods=["GET", "POST"])
bp.add_url_rule("/drafts/<id:draft_id>/discard", "discard_draft", filling.discard_draft,
                methods=["POST"])
bp.add_url_rule("/records", "record_list", records.record_list)
bp.add_url_rule("/inbox", "inbox", inbox.inbox_page)
bp.add_url_rule("/inbox/countersign", "countersign_selected", inbox.countersign_selected, methods=["POST"])
bp.add_url_rule("/filing/RS", "filing_page", filing.filing_page)
bp.add_url_rule("/filing/RS.pdf", "filing_catalogue", filing.filing_catalogue)
bp.add_url_rule("/registrations/day", "day_register", day_register.day_register, methods=["GET", "POST"])
bp.add_url_rule("/stats/complaints", "complaint_statistics", statistics.complaint_statistics)
bp.add_url_rule("/stats/complaints.csv", "complaint_statistics_csv", statistics.complaint_statistics_csv)
bp.add_url_rule("/records/<code>.pdf", "record_pdf", records.record_pdf)
bp.add_url_rule("/records/<code>", "record", records.record)
bp.add_url_rule("/records/<code>/files/<sha256>", "record_file", files.record_file)
bp.add_url_rule("/records/<code>/files/<sha256>/thumb", "record_thumbnail", files.record_thumbnail)
bp.add_app_template_global(files.kept_file_token)
bp.add_app_template_filter(files.file_size)
bp.add_url_rule("/records/<code>/reveal", "reveal", reveal.reveal_page, methods=["GET", "POST"])
bp.add_url_rule("/audit/reveals", "reveal_list", reveal.reveal_list)
bp.add_app_template_global(reveal.reveal_offered)
bp.add_url_rule("/records/<code>/actions/<action>", "record_action", actions.record_action,
                methods=["GET", "POST"])
bp.add_url_rule("/admin/forms", "version_list", admin.version_list)
bp.add_url_rule("/admin/forms/<form_code>/<id:version>/approve", "approve_version",
                admin.approve_version, methods=["POST"])
