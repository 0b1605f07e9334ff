"""`python -m helpt.staff`: the same as the `helpt` command."""

from helpt.staff.cli import main

raise SystemExit(main())
