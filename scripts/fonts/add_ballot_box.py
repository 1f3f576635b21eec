"""Adds ☑ (U+2611 BALLOT BOX WITH CHECK) to a subset font, drawn from the
font's own □ (U+25A1) with its ✓ (U+2713) scaled into it: Noto Serif SC has
no ☑, and the documents tick boxes with it, so the PDF's text layer holds a
real ☑ that `pdftotext` and screen readers see."""

import sys

from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

path = sys.argv[1]
# Keep head.modified as in the source font: the same inputs give the same bytes.
font = TTFont(path, recalcTimestamp=False)
cmap = font.getBestCmap()
glyf = font["glyf"]
hmtx = font["hmtx"]
box, check = cmap[0x25A1], cmap[0x2713]

def bounds(name):
    g = glyf[name]
    g.recalcBounds(glyf)
    return g.xMin, g.yMin, g.xMax, g.yMax

bx0, by0, bx1, by1 = bounds(box)
cx0, cy0, cx1, cy1 = bounds(check)
# Fit the tick inside the box with a margin of 15 % of the box's side.
margin = 0.15 * (bx1 - bx0)
scale = min((bx1 - bx0 - 2 * margin) / (cx1 - cx0), (by1 - by0 - 2 * margin) / (cy1 - cy0))
dx = bx0 + (bx1 - bx0 - scale * (cx1 - cx0)) / 2 - scale * cx0
dy = by0 + (by1 - by0 - scale * (cy1 - cy0)) / 2 - scale * cy0

pen = TTGlyphPen(glyf)
glyf[box].draw(pen, glyf)
glyf[check].draw(TransformPen(pen, (scale, 0, 0, scale, dx, dy)), glyf)
name = "uni2611"
glyph = pen.glyph()
order = font.getGlyphOrder() + [name]
font.setGlyphOrder(order)
glyf.glyphOrder = order
glyf[name] = glyph
hmtx[name] = hmtx[box]
if "vmtx" in font:
    font["vmtx"][name] = font["vmtx"][box]
for table in font["cmap"].tables:
    if table.isUnicode():
        table.cmap[0x2611] = name
font["maxp"].numGlyphs = len(order)
font.save(path)
