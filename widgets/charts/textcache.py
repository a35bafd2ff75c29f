"""An Agg canvas that rasterises each letter once and reuses it: same pixels, less work.

matplotlib's Agg renderer lays out every string and asks FreeType to rasterise every glyph
again on each draw, although on an app's chart almost no text changes when a slider moves.
That text work was over half of a full draw (see ``docs/performance.md``).
:class:`TextCacheCanvas` is a ``FigureCanvasAgg`` whose renderer remembers

- the layout of each string (which glyphs of which font, where), per font properties, and
- each rasterised glyph, per font, size, resolution, rotation and its position *within* a pixel
  (FreeType places glyphs to 1/64 of a pixel; moving a glyph by whole pixels moves its bitmap
  by the same whole pixels and changes nothing else),

and blends the remembered bitmaps onto the canvas exactly as matplotlib does, one glyph at a
time. The picture is the same, pixel for pixel (``tests/test_textcache.py`` compares it with
the stock renderer). Both caches are shared by every canvas in the kernel and bounded
(oldest entries go first), so a text that keeps moving cannot grow them without limit.

Math text (``$...$``) and any matplotlib without the private FreeType calls this relies on
(checked on import: ``SUPPORTED``) take matplotlib's own path unchanged.

Nothing here imports pyplot or ipywidgets.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import FT2Font

try:
    from matplotlib.ft2font import RenderMode
except ImportError:  # an older matplotlib: the cache stays off
    RenderMode = None

SUPPORTED = RenderMode is not None and all(
    hasattr(FT2Font, name) for name in ("_layout", "_render_glyph", "_set_transform", "set_size"))

ENABLED = True      # False: matplotlib's own text drawing (``tools/bench.py --no-text-cache``)
MAX_GLYPHS = 4000   # about 2 MB; a full draw of the largest app uses ~360 glyph positions
MAX_LAYOUTS = 2000

_glyphs: dict = {}    # key -> (coverage bitmap, left, top, font): see _glyph()
_layouts: dict = {}   # key -> tuple of (font, glyph index, x, y)
_heights: dict = {}   # (font properties, dpi) -> (ascent, descent, line gap) in pixels
stats = {"glyphs_rendered": 0, "glyphs_reused": 0}


def clear_cache() -> None:
    """Forget every remembered layout and glyph (tests; a change of fonts)."""
    _glyphs.clear()
    _layouts.clear()
    _heights.clear()


def _remember(cache: dict, key, value, limit: int):
    if len(cache) >= limit:
        for old in list(cache)[: max(1, limit // 4)]:  # dicts keep insertion order: oldest first
            del cache[old]
    cache[key] = value
    return value


def _font_height_metrics(prop, dpi):
    """A font's ascent, descent and line gap in pixels, as ``matplotlib.text.Text._get_layout``
    computes them when the renderer has no ``_get_font_height_metrics`` (the same expressions,
    so the same floating-point numbers); (None, None, None) lets matplotlib fall back."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


class TextCacheRenderer(RendererAgg):
    """``RendererAgg`` whose plain-text drawing reuses remembered layouts and glyph bitmaps,
    and which remembers each font's height metrics (``Text`` asks for them on every measure)."""

    def _get_font_height_metrics(self, prop):
        # matplotlib.text.Text._get_layout calls this hook when a renderer has it
        if not (SUPPORTED and ENABLED):
            return None, None, None  # matplotlib computes them itself
        key = (hash(prop), self.dpi)
        hit = _heights.get(key)
        if hit is None:
            hit = _remember(_heights, key, _font_height_metrics(prop, self.dpi), MAX_LAYOUTS)
        return hit

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        # docstring inherited
        if ismath or not (SUPPORTED and ENABLED):
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        key = (s, hash(prop), self.dpi, flags,
               None if features is None else tuple(features), language)
        items = _layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)
            items = _remember(_layouts, key, tuple(
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language)),
                MAX_LAYOUTS)
        size = prop.get_size_in_points()
        # the same rotation and placement as RendererAgg._draw_text_glyphs_and_boxes (y is downwards)
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        antialiased = gc.get_antialiased()
        height = self.height
        for font, glyph_index, dx, dy in items:
            tx = round(0x40 * (x + dx * cos - dy * sin))           # 1/64 pixel, FreeType's unit
            ty = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            bitmap, left, top = self._glyph(font, size, glyph_index, matrix, tx & 63, ty & 63,
                                            antialiased, flags)
            # draw_text_image's y is downwards and names the bitmap's bottom side
            self._renderer.draw_text_image(
                bitmap, left + (tx >> 6), int(height) - (top + (ty >> 6)) + bitmap.shape[0], 0, gc)

    def _glyph(self, font, size, glyph_index, matrix, fx, fy, antialiased, flags):
        """The coverage bitmap of one glyph placed at (fx, fy)/64 of a pixel from the origin,
        with its left and top edges in whole pixels from there."""
        key = (id(font), size, self.dpi, glyph_index, matrix.tobytes(), fx, fy, antialiased, flags)
        hit = _glyphs.get(key)
        if hit is not None:
            stats["glyphs_reused"] += 1
            return hit[:3]
        font.set_size(size, self.dpi)
        font._set_transform(matrix, [fx, fy])
        rendered = font._render_glyph(
            glyph_index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
        bitmap = np.array(rendered.buffer, dtype=np.uint8)  # a copy: FreeType reuses its buffer
        if not antialiased:
            bitmap *= 0xff
        stats["glyphs_rendered"] += 1
        # the font is kept with its bitmaps so that id(font) cannot be reused by another font
        return _remember(_glyphs, key, (bitmap, rendered.left, rendered.top, font), MAX_GLYPHS)[:3]


class TextCacheCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`TextCacheRenderer`; everything else as Agg."""

    def get_renderer(self):
        # as FigureCanvasAgg.get_renderer, with our renderer class
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextCacheRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
