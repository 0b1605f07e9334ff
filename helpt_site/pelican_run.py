"""One Pelican build, run as `python -m helpt_site.pelican_run SETTINGS OUTPUT` by helpt_site.build.

Pelican's own command line prints a traceback for every stopped build; editors need the list of
problems instead. Pelican's warnings are fatal: they mean an editor's mistake. WeasyPrint's warnings that
it fell back to a slower way of doing the same thing (a machine without HarfBuzz's subsetter) are printed
as a note and the build goes on: the cards come out the same, only slower. Its other warnings and errors
(a card that would come out wrong) still stop the build.
"""

from __future__ import annotations

import logging
import sys

from pelican import Pelican
from pelican.log import init as init_logging
from pelican.settings import read_settings

from helpt.printing import RenderError
from helpt.settings import SettingsError
from helpt_site.content_checks import ContentError, recorded_problems
from helpt_site.weasyprint_notes import watch_weasyprint


def main(argv: list[str]) -> int:
    settings_file, output = argv
    init_logging(level=logging.WARNING, fatal="warnings", handler=logging.StreamHandler(sys.stderr))
    watch_weasyprint()
    settings: dict = {}
    try:
        settings = read_settings(settings_file, override={"OUTPUT_PATH": output})
        Pelican(settings).run()
    except (ContentError, SettingsError) as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    except RenderError as error:
        print(f"\nThe build stopped: a card did not render right: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        problems = recorded_problems(settings)
        if problems:
            # The build went on past the content's problems to find the rest, and one of them stopped it.
            print(f"\n{ContentError(problems)}", file=sys.stderr)
            print(f"(The build could not go on past these problems: {error!r}; fix them first.)", file=sys.stderr)
            return 2
        if isinstance(error, RuntimeError) and str(error) == "Warning or error encountered":
            print("\nThe build stopped on the warning above.", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
