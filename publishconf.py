"""Pelican settings for the published site: absolute URLs on the city's own address."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pelicanconf import *  # noqa: F403
from pelicanconf import CITY

# A folder of its own: its forms post to the live site, so it must never be where the preview is served from.
OUTPUT_PATH = ".build/publish"
SITEURL = CITY.site_url
RELATIVE_URLS = False
FORM_ACTION_BASE = f"{SITEURL}/api"  # CloudFront sends /api/* to the HTTP API: one origin
