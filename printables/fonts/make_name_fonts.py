"""Make the fonts for names in other scripts: Noto Sans Bold (IBM Plex Sans Arabic Bold for Arabic), cut down
to the letters a person's name is written in, one file per family.

The cards' font, Atkinson Hyperlegible, draws Latin and Latin Extended only. A personal card prints the
volunteer's first name, in bold, in whatever script the volunteer writes it; Pango takes each character from
the first family in the CSS list that has it, so these come after Atkinson and draw only what it
lacks (fonts/names.css, which only the personal card links). Only the bold weight: only the name needs them.

- names-greek-cyrillic-700.woff, family "Names Noto Sans": Greek and Coptic 0370-03FF and Cyrillic
  0400-04FF, for modern Greek, and Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian, Kazakh
  and the other Cyrillic alphabets of today (the Cyrillic Supplement's historic and minority letters are out).
- names-arabic-700.woff, "Names Arabic": Arabic 0600-06FF and Arabic Supplement 0750-077F, for Arabic,
  Persian, Urdu, Pashto, Kurdish (the presentation forms are glyphs the shaping makes, not letters typed).
- names-hebrew-700.woff, "Names Noto Sans Hebrew": Hebrew 0590-05FF, for Hebrew and Yiddish.
- names-devanagari-700.woff, "Names Noto Sans Devanagari": Devanagari 0900-097F, for Hindi, Marathi, Nepali.

Each keeps its OpenType layout (Arabic joining, Devanagari conjuncts and vowel signs are the font's GSUB and
GPOS), the spaces, the zero-width joiners and the marks that change direction. Chinese, Japanese and Korean
are left out: a font for the characters names use runs to megabytes, more than the whole site; Pango draws
them from a system font if the machine that renders the card has one (if not: empty boxes, and a WeasyPrint
warning; the PDF's text still holds the name).

Arabic is IBM Plex Sans Arabic, not Noto Sans Arabic: Noto draws a letter as a dotless shape plus its dots,
two glyphs (its `ccmp`), and the PDF's text layer, which WeasyPrint writes as one text per glyph, then reads
"ف" (a dotless feh and a dot) as "ز" (the dot, first seen on the zain): a copied name or a screen reader
got other letters. Plex draws each letter whole.

Why each file is its own family, named anew: WeasyPrint keys a PDF's fonts by family, weight and style, so
two files in one family and weight get mixed up (make_fonts.py); the fontsource packages split Noto Sans
into one file per script, all called "Noto Sans", so Greek and Cyrillic are merged into one file here, and
every file gets the family name fonts/names.css gives it (a system's own Noto Sans cannot be taken for it). The
fonts are under the SIL Open Font License 1.1 with no Reserved Font Name (fonts/OFL-Noto.txt,
fonts/OFL-IBM-Plex-Arabic.txt); the new names keep the modified fonts apart from the originals all the same.
Made from the npm packages, byte for byte the same each time:

    npm pack @fontsource/noto-sans@5.3.0 @fontsource/ibm-plex-sans-arabic@5.3.0 \
        @fontsource/noto-sans-hebrew@5.3.0 @fontsource/noto-sans-devanagari@5.3.0
    for name in noto-sans ibm-plex-sans-arabic noto-sans-hebrew noto-sans-devanagari; do
        mkdir $name && tar xzf fontsource-$name-5.3.0.tgz -C $name; done
    .venv/bin/python printables/fonts/make_name_fonts.py .
"""

from __future__ import annotations

import argparse
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

FONTS_DIR = Path(__file__).resolve().parent
# The spaces (Pango draws a space between two words of a script from that script's font, whatever the CSS
# list says), joiners, direction marks, and the dotted circle a shaper draws for a mark typed without a letter.
SHAPING = {0x0020, 0x00A0, 0x200C, 0x200D, 0x200E, 0x200F, 0x25CC}


def blocks(*spans: tuple[int, int]) -> set[int]:
    return {code for first, last in spans for code in range(first, last + 1)} | SHAPING


# output file: (family, [(npm package folder, file under package/files/)], characters kept)
NAME_FONTS = {
    "names-greek-cyrillic-700.woff": (
        "Names Noto Sans",
        [("noto-sans", "noto-sans-greek-700-normal.woff"), ("noto-sans", "noto-sans-cyrillic-700-normal.woff"),
         ("noto-sans", "noto-sans-cyrillic-ext-700-normal.woff")],
        blocks((0x0370, 0x03FF), (0x0400, 0x04FF)),
    ),
    "names-arabic-700.woff": (
        "Names Arabic",
        [("ibm-plex-sans-arabic", "ibm-plex-sans-arabic-arabic-700-normal.woff")],
        blocks((0x0600, 0x06FF), (0x0750, 0x077F)),
    ),
    "names-hebrew-700.woff": (
        "Names Noto Sans Hebrew",
        [("noto-sans-hebrew", "noto-sans-hebrew-hebrew-700-normal.woff")],
        blocks((0x0590, 0x05FF)),
    ),
    "names-devanagari-700.woff": (
        "Names Noto Sans Devanagari",
        [("noto-sans-devanagari", "noto-sans-devanagari-devanagari-700-normal.woff")],
        blocks((0x0900, 0x097F)),
    ),
}  # fmt: skip


def cut(source: Path, unicodes: set[int]) -> TTFont:
    """The font with only the glyphs for these characters (and those its layout makes from them)."""
    font = TTFont(source, recalcTimestamp=False)
    font.flavor = None
    options = subset.Options()
    options.hinting = False  # for print
    options.layout_features = ["*"]  # the shaping of joined and combined letters
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.drop_tables += ["STAT"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes & set(font.getBestCmap()))
    subsetter.subset(font)
    return font


def rename(font: TTFont, family: str) -> None:
    """Give the font the family fonts.css calls it by (the bold face of it)."""
    table = font["name"]
    postscript = family.replace(" ", "") + "-Bold"
    for name_id, value in {1: family, 2: "Bold", 4: f"{family} Bold", 6: postscript, 16: family, 17: "Bold"}.items():
        table.removeNames(nameID=name_id)
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    table.removeNames(nameID=3)
    table.setName(f"{postscript}; Helpt subset", 3, 3, 1, 0x409)


def make(packages: Path, parts: list[tuple[str, str]], unicodes: set[int], family: str) -> TTFont:
    cuts = [cut(packages / package / "package" / "files" / file, unicodes) for package, file in parts]
    if len(cuts) == 1:
        font = cuts[0]
    else:
        buffers = []
        for one in cuts:
            buffer = BytesIO()
            one.save(buffer)
            buffer.seek(0)
            buffers.append(buffer)
        font = Merger().merge(buffers)
        font.recalcTimestamp = False
        font["head"].created = font["head"].modified = cuts[0]["head"].created
    rename(font, family)
    font.flavor = "woff"
    return font


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", type=Path, help="the folder holding the unpacked npm packages")
    args = parser.parse_args()
    for output, (family, parts, unicodes) in NAME_FONTS.items():
        font = make(args.packages, parts, unicodes, family)
        font.save(FONTS_DIR / output)
        print(f"{output}: {(FONTS_DIR / output).stat().st_size} bytes, {len(font.getBestCmap())} characters")


if __name__ == "__main__":
    main()
