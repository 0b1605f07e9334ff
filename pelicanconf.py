"""Pelican settings for a Helpt site (local preview).

Everything about the city comes from the city settings file (`city.toml`, or the file named by the
HELPT_CITY environment variable); this file only says how the site is built.
"""

import os
from pathlib import Path

from jinja2 import StrictUndefined

from helpt.settings import load_city

ROOT = Path(__file__).resolve().parent
CITY = load_city(os.environ.get("HELPT_CITY", ROOT / "city.toml"))

SITENAME = CITY.site_name[CITY.default_language]
SITEURL = ""  # publishconf.py sets the real address
RELATIVE_URLS = False
TIMEZONE = CITY.timezone
DEFAULT_LANG = CITY.default_language

PATH = str(CITY.content_dir)
OUTPUT_PATH = "output"
DELETE_OUTPUT_DIRECTORY = True
THEME = str(ROOT / "theme")
THEME_STATIC_DIR = "theme"
STATIC_PATHS = ["images"]
PLUGINS = ["helpt_site.plugin"]  # listed explicitly: installed namespace plugins must not load themselves

# Everything is a page: content/pages/<key>.<lang>.md and content/vacancies/<key>.<lang>.md.
# The key and language come from the file name; translations pair up by key.
PAGE_PATHS = ["pages", "vacancies"]
ARTICLE_PATHS = []
FILENAME_METADATA = r"(?P<key>[a-z0-9][a-z0-9-]*)\.(?P<lang>[a-z]{2,3})"
PATH_METADATA = r"(?P<section>[^/]+)/.*"
PAGE_TRANSLATION_ID = "key"
SLUGIFY_SOURCE = "title"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"

# No blog: no index, archives, tags, categories, authors or feeds.
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = ""
TAG_SAVE_AS = TAGS_SAVE_AS = CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None

# StrictUndefined: a template that names something the page lacks stops the build instead of printing "".
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
    "undefined": StrictUndefined,
}
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.sane_lists": {}},
    "output_format": "html5",
}
CACHE_CONTENT = False

# Rendered neighbour cards are kept here and reused while nothing they are made from changes; so is the mark
# that the theme's strings were all found translated (helpt_site.catalogs.translation_problems).
CARDS_CACHE = os.environ.get("HELPT_CACHE_DIR", str(ROOT / ".cache" / "cards"))

# Where the forms post: the preview server answers /api/ itself; publishconf.py uses the site's address.
FORM_ACTION_BASE = "/api"
