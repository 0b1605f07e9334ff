"""The Pelican plugin that turns the kit's content and city settings into the Helpt site.

Each signal handler is a thin step; the logic lives in the modules named for what they hold.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.contents import Page
from pelican.utils import slugify

from helpt.forms import FORMS, VACANCY_RESPONSE
from helpt.i18n import load_catalogs
from helpt.settings import CitySettings
from helpt.templating import configure_environment
from helpt_site import card_worker
from helpt_site.cards import render_cards
from helpt_site.catalogs import compile_catalogs, translation_problems
from helpt_site.content_checks import (
    ContentError,
    content_problems,
    heading_problems,
    located_link_problem,
    record_problems,
    recorded_problems,
    unresolved_link_problems,
)
from helpt_site.content_tokens import substitute, token_values
from helpt_site.link_check import UnresolvedLinks, link_problems
from helpt_site.public_figures import add_public_figures
from helpt_site.site_data import site_data, write_site_data
from helpt_site.site_pages import (
    HOME_KEY,
    attach_alternates,
    fixed_place,
    group_by_key,
    is_expired,
    is_vacancy,
    menus,
    page_urls,
    vacancies_by_language,
    vacancy_expiry,
    vacancy_index,
)

CATALOGS = "HELPT_CATALOGS"
CARD_JOB = "HELPT_CARD_JOB"
TOKENS = "HELPT_TOKENS"  # language -> the placeholders' values (content_tokens.token_values), HTML and plain
SOURCES = "HELPT_SOURCES"  # output file -> the content file it was made from
UNRESOLVED = "HELPT_UNRESOLVED"
STRUCTURE_BROKEN = "HELPT_STRUCTURE_BROKEN"
logger = logging.getLogger(__name__)


def register() -> None:
    signals.initialized.connect(prepare_translations)
    signals.initialized.connect(start_cards)  # after the translations, which the cards use
    signals.initialized.connect(watch_unresolved_links)
    signals.generator_init.connect(configure_templates)
    signals.content_object_init.connect(prepare_page)
    signals.page_generator_finalized.connect(organise_pages)
    signals.page_generator_finalized.connect(add_public_figures)
    signals.page_writer_finalized.connect(record_site_data)
    signals.all_generators_finalized.connect(make_cards)
    signals.finalized.connect(finish_output)


def prepare_translations(pelican) -> None:
    """Compile the catalogs and stop the build if any theme string lacks a translation."""
    city: CitySettings = pelican.settings["CITY"]
    theme = Path(pelican.settings["THEME"])
    translations_dir = theme / "translations"
    compile_catalogs(translations_dir)
    problems = translation_problems(theme, translations_dir, city.languages, Path(pelican.settings["CARDS_CACHE"]))
    if problems:
        raise ContentError(problems, "the translations of the theme")
    pelican.settings[CATALOGS] = load_catalogs(translations_dir, city.languages)


def watch_unresolved_links(pelican) -> None:
    pelican.settings[UNRESOLVED] = UnresolvedLinks.install()


def configure_templates(generator) -> None:
    configure_environment(generator.env, generator.settings["CITY"], generator.settings[CATALOGS])


def prepare_page(content) -> None:
    """Fill in placeholders, and give the home page its place at `/` and `/<lang>/`."""
    if not isinstance(content, Page):
        return
    city: CitySettings = content.settings["CITY"]
    content.helpt_problems = []
    if not hasattr(content, "key"):
        content.key = Path(content.source_path).stem
        content.helpt_problems.append(
            (None, "name the file <key>.<language>.md, for example ask-for-help.nl.md, so its translations pair up")
        )
    lang = content.lang if content.lang in city.languages else city.default_language
    # The same for every page of a language: worked out once per build (the settings live as long as it).
    tokens = content.settings.setdefault(TOKENS, {})
    if lang not in tokens:
        catalog = content.settings[CATALOGS][lang]
        tokens[lang] = (token_values(city, lang, catalog, html=True), token_values(city, lang, catalog, html=False))
    _fill_placeholders(content, *tokens[lang])
    place = fixed_place(content.key, content.lang, city.default_language)
    if place is not None:
        content.override_url, content.override_save_as = place
    content.form = content.metadata.get("form", "")
    if content.key == HOME_KEY:
        content.template = "home"
    elif is_vacancy(content):
        content.template = "vacancy"
        content.form = VACANCY_RESPONSE.name
    if content.form not in ("", *FORMS):
        content.helpt_problems.append(
            (r"^Form:", f"Form: {content.form!r} is not a form; use one of {', '.join(FORMS)}")
        )


def _fill_placeholders(content: Page, html: dict[str, str], plain: dict[str, str]) -> None:
    unknown: list[str] = []
    content._content, missing = substitute(content._content or "", html)
    unknown += missing
    for name, value in list(content.metadata.items()):
        if not isinstance(value, str):
            continue
        filled, missing = substitute(value, html if name == "summary" else plain)
        unknown += missing
        if filled != value:
            content.metadata[name] = filled
            setattr(content, name, filled)
            if name == "summary":
                content._summary = filled
            if name == "title" and "slug" not in content.metadata:
                settings = content.settings
                content.slug = slugify(
                    filled,
                    regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                    preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                    use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
                )
    for name in sorted(set(unknown)):
        content.helpt_problems.append(
            (
                r"\{\{\s*" + name + r"\s*\}\}",
                f"{{{{ {name} }}}} is not a placeholder this kit knows (see docs/EDITING.md for the list)",
            )
        )


CHECK_TEMPLATE = "check"


def organise_pages(generator) -> None:
    """Check the pages, leave out expired vacancies, and give templates alternates, menus and links.

    Problems are recorded, not raised: the build goes on to find the rest (the links of the written site), so
    that an editor gets every problem in one list (finish_output)."""
    city: CitySettings = generator.settings["CITY"]
    visible = [
        *generator.pages,
        *generator.translations,
        *generator.hidden_pages,
        *generator.hidden_translations,
    ]
    problems = content_problems(visible, city)
    generator.settings[STRUCTURE_BROKEN] = bool(problems)
    record_problems(generator.settings, problems)
    record_problems(generator.settings, [problem for page in visible for problem in heading_problems(page, city)])

    today = dt.datetime.now(ZoneInfo(city.timezone)).date()
    for pages in (
        generator.pages,
        generator.translations,
        generator.hidden_pages,
        generator.hidden_translations,
    ):
        # A vacancy without a valid Expires is a recorded problem; leaving it out lets the build go on.
        pages[:] = [page for page in pages if not is_expired(page, today) and not _undated_vacancy(page)
                    and not (is_check_page(page) and not city.web_card_check)]  # fmt: skip
        for page in pages:
            if is_vacancy(page):
                page.expires = vacancy_expiry(page)

    siteurl = generator.settings["SITEURL"]
    kept = [*generator.pages, *generator.translations, *generator.hidden_pages, *generator.hidden_translations]
    generator.settings[SOURCES] = {page.save_as: Path(page.source_path) for page in kept}
    groups = group_by_key(kept)
    attach_alternates(groups, city, siteurl)
    generator.context.update(
        page_urls=page_urls(groups, city, siteurl, stopping=bool(problems)),
        menus=menus(groups, city, siteurl),
        vacancy_index=vacancy_index(groups, city, siteurl),
        vacancies=vacancies_by_language(generator.pages + generator.translations, city),
    )


def is_check_page(page: Page) -> bool:
    """The check page of the personal cards' codes (`Template: check`): left out when the city switched the
    web check off (`[card_check] web = false`)."""
    return getattr(page, "template", "") == CHECK_TEMPLATE


def _undated_vacancy(page: Page) -> bool:
    return is_vacancy(page) and vacancy_expiry(page) is None


def start_cards(pelican) -> None:
    """Start rendering the cards beside the build when the cache lacks them (card_worker.py)."""
    settings = pelican.settings
    translations_dir = Path(settings["THEME"]) / "translations"
    settings[CARD_JOB] = card_worker.start(settings["CITY"], translations_dir, Path(settings["CARDS_CACHE"]))


def make_cards(generators) -> None:
    """Put the neighbour cards into the output, from the cache the worker filled (or that was full)."""
    settings = generators[0].settings
    city: CitySettings = settings["CITY"]
    job = settings.get(CARD_JOB)
    rendered = card_worker.finish(job) if job is not None else 0
    cards, here = render_cards(
        city,
        settings[CATALOGS],
        Path(settings["THEME"]) / "translations",
        Path(settings["OUTPUT_PATH"]),
        Path(settings["CARDS_CACHE"]),
    )
    rendered += here  # none, unless the worker was not started (or another build emptied the cache meanwhile)
    count = len({card for files in cards.values() for card in files})
    logger.info("cards: %d rendered, %d from the cache", rendered, count - rendered)
    for generator in generators:
        generator.context["cards"] = cards


def record_site_data(generator, writer) -> None:
    """Write what the form handler needs to render form pages as the build did."""
    pages = [*generator.pages, *generator.translations, *generator.hidden_pages, *generator.hidden_translations]
    write_site_data(Path(generator.output_path), site_data(pages, generator.context, generator.settings))


def finish_output(pelican) -> None:
    """Give the stylesheet the city's colours, check every link of the written site, and stop the build with
    every problem found, the content's and the links', in one list."""
    city: CitySettings = pelican.settings["CITY"]
    output = Path(pelican.settings["OUTPUT_PATH"])
    stylesheet = output / pelican.settings["THEME_STATIC_DIR"] / "css" / "site.css"
    colours = f":root{{--primary:{city.primary_colour};--tint:{city.tint_colour}}}\n"
    stylesheet.write_text(colours + stylesheet.read_text(encoding="utf-8"), encoding="utf-8")
    settings = pelican.settings
    sources: dict[str, Path] = settings.get(SOURCES, {})
    broken = link_problems(output, settings["SITEURL"], dynamic=settings["FORM_ACTION_BASE"])
    # With pages missing, menus and language switchers point nowhere: only the links editors typed count then.
    typed_only = settings.get(STRUCTURE_BROKEN, False)
    located = [located_link_problem(link, sources, city, typed_only=typed_only) for link in broken]
    record_problems(settings, [problem for problem in located if problem is not None])
    record_problems(settings, unresolved_link_problems(settings[UNRESOLVED].values, sources.values(), city))
    problems = recorded_problems(settings)
    if problems:
        raise ContentError(problems)
