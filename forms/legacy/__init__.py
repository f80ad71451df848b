"""Bringing the paper archive in (issue 19): ``flask --app wsgi records import FILE``.

A legacy register (CSV or XLSX, one sheet per form or a ``form`` column) is read a row at a
time (:mod:`forms.legacy.sheets`), its headers matched to the form's fields and the fixed
columns (:mod:`forms.legacy.columns`), every cell read by its field type exactly as typed input
is (:mod:`forms.legacy.cells`, :mod:`forms.legacy.rows`), scans matched by file name
(:mod:`forms.legacy.scans`), problems reported by sheet, row and column in Chinese or English
(:mod:`forms.legacy.report`), and the whole file written in one transaction
(:mod:`forms.legacy.writing`); :mod:`forms.legacy.service` runs the passes and
:mod:`forms.legacy.cli` is the command. docs/import.md describes the sheet layout.
"""
