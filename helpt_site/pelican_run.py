"""One Pelican build, run as `python -m helpt_site.pelican_run SETTINGS OUTPUT` by helpt_site.build.

Pelican's own command line prints a traceback for every stopped build; editors need the list of
problems instead. Warnings are fatal: a link Pelican cannot resolve stops the build.
"""

from __future__ import annotations

import logging
import sys

from pelican import Pelican
from pelican.log import init as init_logging
from pelican.settings import read_settings

from helpt.settings import SettingsError
from helpt_site.content_checks import ContentError


def main(argv: list[str]) -> int:
    settings_file, output = argv
    init_logging(level=logging.WARNING, fatal="warnings", handler=logging.StreamHandler(sys.stderr))
    try:
        settings = read_settings(settings_file, override={"OUTPUT_PATH": output})
        Pelican(settings).run()
    except (ContentError, SettingsError) as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        if str(error) != "Warning or error encountered":
            raise
        print("\nThe build stopped on the warning above.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
