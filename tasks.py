"""Invoke tasks: thin wiring over helpt_site. Run `invoke --list` (or use the Makefile)."""

from pathlib import Path

from invoke import task

from helpt.settings import load_city
from helpt_site import catalogs
from helpt_site.build import PROJECT_DIR, BuildError, build_site, site_folder
from helpt_site.deploy import DeployError, run_deploy
from helpt_site.devserver import serve as serve_site
from helpt_site.lambda_bundle import BundleError, build_bundle

THEME = PROJECT_DIR / "theme"
TRANSLATIONS = THEME / "translations"


@task(help={"publish": "Build with publishconf.py (absolute URLs on the city's address) into .build/publish/."})
def build(c, publish=False):
    """Build the site into output/ (the preview), or with --publish into .build/publish/."""
    output = site_folder(publish=publish)
    try:
        seconds = build_site(output, publish=publish)
    except BuildError as error:
        raise SystemExit(f"{error}: see the problems listed above.") from None
    print(f"Built {output} in {seconds:.1f} s.")


@task(help={"port": "Port on 127.0.0.1 (default 8000)."})
def serve(c, port=8000):
    """Build the site, serve it on http://127.0.0.1:PORT/ and rebuild on every change."""
    raise SystemExit(serve_site(int(port)))


@task(name="i18n-extract")
def i18n_extract(c):
    """Collect the theme's strings into theme/translations/messages.pot."""
    template = catalogs.extract_messages(THEME)
    catalogs.write_template(template, TRANSLATIONS / "messages.pot")
    print(f"{len(template) - 1} strings in {TRANSLATIONS / 'messages.pot'}")


@task(name="i18n-update", pre=[i18n_extract])
def i18n_update(c):
    """Add new theme strings to each language's .po (creating it for a new language)."""
    template = catalogs.extract_messages(THEME)
    for po_file in catalogs.update_catalogs(TRANSLATIONS, template, load_city().languages):
        print(f"updated {po_file.relative_to(Path.cwd()) if po_file.is_relative_to(Path.cwd()) else po_file}")


@task(name="i18n-compile")
def i18n_compile(c):
    """Compile the .po catalogs to .mo (the build does this by itself)."""
    for mo_file in catalogs.compile_catalogs(TRANSLATIONS):
        print(f"compiled {mo_file}")


@task
def bundle(c):
    """Build the site for publishing (.build/publish/), then the Lambda function's zip from it (.build/lambda/)."""
    output = site_folder(publish=True)
    try:
        build_site(output, publish=True)
        print(build_bundle(output / ".helpt" / "site.json").summary())
    except (BuildError, BundleError) as error:
        raise SystemExit(str(error)) from None


@task(help={"dry_run": "Build locally and print every AWS command and upload instead of making them."})
def deploy(c, dry_run=False):
    """Build the site and the function, deploy the stack (samconfig.toml), upload the site, invalidate CloudFront."""
    try:
        raise SystemExit(run_deploy(dry_run=dry_run))
    except (BuildError, BundleError, DeployError) as error:
        raise SystemExit(str(error)) from None
