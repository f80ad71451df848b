"""Application shell: app factory, config, database, accounts, audit trail, errors, i18n, CLI.

Nothing in ``core`` imports ``forms``, ``archive`` or ``search`` except the composition root
:mod:`core.app`, which wires every package into one Flask application.
"""
