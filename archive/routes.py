"""The archive's URL map: every archive HTML page in one place (the JSON APIs are in
archive/api.py, archive_api.py and office_api.py).

Who may open a page is said where its view is defined: ``records_office_page`` (archivists,
auditors, administrators; archive.page_actions) or ``login_required``; the retention pages
refuse all but administrators themselves, and ``/verify/<code>`` is public (a printed copy's
QR code leads there).
"""

from __future__ import annotations

from flask import Blueprint

from archive import admin_views, hold_views, need_views, office_views, profile_views, views
from archive.archival_codes import retention_label

bp = Blueprint("archive", __name__)
GET_POST = ["GET", "POST"]

# A copy checked against the archive, and the stored archival file.
bp.add_url_rule("/verify/<code>", "verify_link", views.verify_link)
bp.add_url_rule("/verify", "verify_upload", views.verify_upload, methods=GET_POST)
bp.add_url_rule("/records/<code>/archival.pdf", "archival_pdf", views.archival_pdf)

# Need-to-know (archive.need_to_know): the reason an auditor or admin states to read outside
# their department's work, and the auditor's report of such reads (auditors, administrators).
bp.add_url_rule("/need-to-know/reason", "need_reason", need_views.state, methods=GET_POST)
bp.add_url_rule("/audit/need-to-know", "need_report", need_views.report)
bp.add_url_rule("/audit/need-to-know.csv", "need_report_csv", need_views.report_csv)

# One's own profile: the signature or stamp printed beside one's name (archive.marks).
bp.add_url_rule("/profile", "profile", profile_views.profile, methods=GET_POST)

# Retention classes (administrators).
bp.add_url_rule("/admin/retention", "class_list", admin_views.class_list)
bp.add_url_rule("/admin/retention/<code>", "class_edit", admin_views.class_edit, methods=GET_POST)

# The records office.
bp.add_url_rule("/archive/", "office", office_views.office)
bp.add_url_rule("/archive/catalogue", "catalogue_page", office_views.catalogue_page)
bp.add_url_rule("/archive/catalogue/items", "file_catalogue_page", office_views.file_catalogue_page)
bp.add_url_rule("/archive/tombstones", "tombstone_page", office_views.tombstone_page)
bp.add_url_rule("/archive/holds", "hold_list", hold_views.hold_list, methods=GET_POST)
bp.add_url_rule("/archive/holds/<int:hold_id>", "hold_detail", hold_views.hold_detail, methods=GET_POST)
bp.add_url_rule("/archive/disposal", "disposal_page", office_views.disposal_page, methods=GET_POST)
bp.add_url_rule("/archive/disposal/<int:list_id>", "disposal_list", office_views.disposal_list,
                methods=GET_POST)
bp.add_url_rule("/archive/review", "review_page", office_views.review_page, methods=GET_POST)

# What the archive's templates read: a destruction list's state names on its pages; on every
# page (a record's page shows its hold banner, a destroyed record's page its retention class)
# the class names and the record's holds.
bp.context_processor(office_views.list_labels)
bp.app_context_processor(office_views.retention_names)
bp.app_context_processor(hold_views.hold_marks)
bp.add_app_template_global(retention_label)  # a 档号's retention level in people's words
