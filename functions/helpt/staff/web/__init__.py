"""The web back office at /staff/: the staff tool's work in a browser, for the call centre, coordinators and
the privacy officer, with sign-in, roles checked on every request, and an audit log.

`app.BackOffice` answers API Gateway HTTP API (payload 2.0) events, like the form handler; `routing` holds
the route table the view modules add to; `roles` says which role may do what.
"""
