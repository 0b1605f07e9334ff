"""Make the printables' font: Atkinson Hyperlegible with Lexend's plain digits, one file per weight.

Atkinson Hyperlegible slashes its zero and has no alternate for it, so "016/27.27.72" reads as
"Ø16/27.27.72" to many older readers. Lexend's digits are plain, as legible, and near enough in shape.
Both fonts are under the SIL Open Font License 1.1 with no Reserved Font Name (fonts/OFL.txt,
fonts/OFL-Lexend.txt), which allows this modified version under the same name.

Why one file per weight holding everything, rather than a digits-only face picked by `unicode-range`:
WeasyPrint keys the fonts of a PDF by family, weight and style, not by file, so a second file in the same
family and weight has its glyphs drawn from the first file's program (the text comes out as other letters),
and Fontconfig drops a face whose characters the faces ranked above it already have, whatever the CSS
`unicode-range` says. Atkinson's whole character set is kept, Latin and Latin Extended in one file,
which the fontsource subsets split in two.

Lexend's figures are 4 % taller than Atkinson's; they are scaled to Atkinson's figure height, and taken
from Lexend's variable font at the weight whose strokes, once scaled, are as thick as Atkinson's (Lexend's
own Regular is 12 % heavier), so a phone number sits in its line like the words around it. Kerning and the
tabular, fraction and superior forms of the old digits go with them. Made from the npm packages (reading
the variable font's WOFF2 needs `brotli`, which the venv has), byte for byte the same each time:

    npm pack @expo-google-fonts/atkinson-hyperlegible@0.4.1 @fontsource-variable/lexend@5.3.0
    mkdir atkinson lexend
    tar xzf expo-google-fonts-atkinson-hyperlegible-0.4.1.tgz -C atkinson
    tar xzf fontsource-variable-lexend-5.3.0.tgz -C lexend
    .venv/bin/python printables/fonts/make_fonts.py atkinson/package lexend/package/files
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

FONTS_DIR = Path(__file__).resolve().parent
DIGITS = range(ord("0"), ord("9") + 1)
LEXEND_FILE = "lexend-latin-wght-normal.woff2"
# CSS weight: (the Atkinson file in the expo package, Lexend's weight whose scaled zero has Atkinson's strokes:
# measured at mid-height, 91 and 156 units for Atkinson's zero, 90 and 155 for these)
SOURCES = {
    400: ("400Regular/AtkinsonHyperlegible_400Regular.ttf", 360),
    700: ("700Bold/AtkinsonHyperlegible_700Bold.ttf", 700),
}


def output_file(weight: int) -> Path:
    return FONTS_DIR / f"atkinson-hyperlegible-plain-digits-{weight}.woff"


def figure_height(font: TTFont) -> int:
    """The top of the font's zero, in font units."""
    return font["glyf"][font.getBestCmap()[ord("0")]].yMax


def _subset(font: TTFont, unicodes: set[int], *, layout: bool) -> None:
    options = subset.Options()
    options.hinting = False  # for print; and the hints would not fit scaled outlines
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = True
    options.notdef_outline = True
    options.layout_features = ["*"] if layout else []
    if not layout:
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "STAT"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)


def with_plain_digits(atkinson: TTFont, lexend: TTFont) -> TTFont:
    """Atkinson without its digits (and all that used them), and Lexend's digits in their place."""
    assert atkinson["head"].unitsPerEm == lexend["head"].unitsPerEm
    scale = figure_height(atkinson) / figure_height(lexend)
    _subset(atkinson, set(atkinson.getBestCmap()) - set(DIGITS), layout=True)
    _subset(lexend, set(DIGITS), layout=False)
    lexend_cmap, lexend_glyphs = lexend.getBestCmap(), lexend.getGlyphSet()
    glyf, hmtx, order = atkinson["glyf"], atkinson["hmtx"], atkinson.getGlyphOrder()
    for code in DIGITS:
        source = lexend_cmap[code]
        name = f"{source}.lexend"
        assert name not in order
        outline = DecomposingRecordingPen(lexend_glyphs)
        lexend_glyphs[source].draw(outline)
        pen = TTGlyphPen(None)
        outline.replay(TransformPen(pen, (scale, 0, 0, scale, 0, 0)))
        glyph = pen.glyph()
        order.append(name)
        glyf[name] = glyph
        glyph.recalcBounds(glyf)
        hmtx[name] = (round(lexend["hmtx"][source][0] * scale), glyph.xMin)
        for table in atkinson["cmap"].tables:
            if table.isUnicode():
                table.cmap[code] = name
    atkinson.setGlyphOrder(order)
    version = atkinson["name"].getDebugName(5)
    for record in atkinson["name"].names:
        if record.nameID == 5:
            record.string = f"{version}; digits from Lexend {lexend['name'].getDebugName(5).removeprefix('Version ')}"
    return atkinson


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("atkinson", type=Path, help="the package/ folder of @expo-google-fonts/atkinson-hyperlegible")
    parser.add_argument("lexend", type=Path, help="the files/ folder of @fontsource-variable/lexend")
    args = parser.parse_args()
    for weight, (atkinson_name, lexend_weight) in SOURCES.items():
        atkinson = TTFont(args.atkinson / atkinson_name, recalcTimestamp=False)
        lexend = instantiateVariableFont(TTFont(args.lexend / LEXEND_FILE), {"wght": lexend_weight}, static=True)
        font = with_plain_digits(atkinson, lexend)
        font.flavor = "woff"
        font.save(output_file(weight))
        print(f"{output_file(weight).name}: {output_file(weight).stat().st_size} bytes")


if __name__ == "__main__":
    main()
