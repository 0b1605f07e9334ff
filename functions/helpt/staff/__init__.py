"""The staff tool, `helpt`: what city coordinators and call-centre staff do with the submissions.

Exports (CSV, XLSX) and hand-outs, the working list and matching, phone intake with the same form
definitions as the web, statuses, task slips, figures, and the GDPR's erasure, access and retention. It works
the same against the local SQLite store and DynamoDB. docs/STAFF.md is its guide; `cli.py` wires the
commands over the modules named for what they do.
"""
