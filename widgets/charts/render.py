"""Turn a chart into something a notebook can display, without pyplot.

``show_chart(plot_fn, *args, **kwargs)`` draws on a fresh ``Figure`` and returns a
``ChartImage``: Jupyter shows it as an accessible ``<figure>`` (image + alt text +
caption) and it also offers plain PNG bytes.  Nothing global is created or closed,
so it never interferes with pyplot figures a learner makes.
"""
from __future__ import annotations

import base64
import html
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg

from .style import alt_text, in_presentation, new_figure, series_style, wrap_titles_when_projected


MIN_FONT_KEY = "ib-min-font-px"  # PNG text chunk (and <img> data attribute) of a chart drawn for projection


def smallest_text_px(fig, dpi=None):
    """The font size, in image pixels at ``dpi`` (default the figure's), of the smallest text the
    figure shows (tick labels, legend, annotations), or None when it shows none. The decks' browser
    test multiplies it by the scale an image is displayed at to find the smallest text on screen."""
    from matplotlib.text import Text

    hidden = set()  # tick labels and axis labels of axes drawn without axes (ax.axis("off"))
    for ax in fig.axes:
        if not ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                hidden.update(map(id, axis.get_ticklabels(which="both")))
                hidden.add(id(axis.label))
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and id(t) not in hidden]
    if not sizes:
        return None
    return round(min(sizes) * (dpi or fig.dpi) / 72.0, 2)


def png_metadata(fig, dpi=None):
    """PNG text chunks for a chart drawn for projection (its smallest text size in pixels);
    None otherwise, so a redraw in JupyterLab pays nothing for it."""
    if not in_presentation():
        return None
    px = smallest_text_px(fig, dpi)
    return None if px is None else {MIN_FONT_KEY: f"{px:g}"}


def figure_png(fig, dpi=None) -> bytes:
    """Render ``fig`` to PNG bytes with the Agg renderer (no pyplot, no display)."""
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    buf = io.BytesIO()
    with series_style():
        fig.savefig(buf, format="png", dpi=dpi or fig.dpi, metadata=png_metadata(fig, dpi))
    return buf.getvalue()


class ChartImage:
    """A rendered chart: ``.png`` bytes, ``.alt_text``, ``.figure`` and ``.ax``."""

    def __init__(self, figure, ax, png: bytes, alt: str, projected: bool = False):
        self.figure = figure
        self.ax = ax
        self.png = png
        self.alt_text = alt
        self.projected = projected  # drawn with the presentation style (large text for decks)
        # smallest text in image pixels, known when drawn (the decks' legibility test reads it)
        self.min_font_px = smallest_text_px(figure) if projected else None

    def _repr_png_(self):
        return self.png

    def _repr_html_(self):
        data = base64.b64encode(self.png).decode("ascii")
        alt = html.escape(self.alt_text, quote=True)
        return (
            '<figure style="margin:0">'
            f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%"'
            + (' data-ib-style="presentation"' if self.projected else "")
            + (f' data-ib-min-font-px="{self.min_font_px:g}"' if self.min_font_px else "") + ">"
            f"<figcaption>{html.escape(self.alt_text)}</figcaption>"
            "</figure>" + self.table_html()
        )

    @property
    def table(self):
        """The chart's data as a DataFrame when the chart offers one (the dot-matrix maps), else None."""
        return getattr(self.ax, "table_alternative", None)

    def table_html(self) -> str:
        """A folded "Show as table" block with the chart's data, for charts that offer one."""
        if self.table is None:
            return ""
        caption = html.escape(getattr(self.ax, "table_caption", "") or "The chart as a table")
        body = self.table.to_html(index=False, escape=True, border=0, na_rep="")
        body = body.replace(">", f"><caption>{caption}</caption>", 1)
        return (f'<details class="ib-chart-table"><summary>Show as table</summary>'
                f'<div style="overflow-x:auto" tabindex="0" role="region" aria-label="{caption}">{body}</div>'
                "</details>")

    def __repr__(self):
        return f"<ChartImage: {self.alt_text}>"

    def save(self, path):
        """Write the PNG to ``path`` (folders are created)."""
        from pathlib import Path

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.png)
        return path


PART_BREAK = "<!-- ib-chart-part -->"  # between the parts of a ChartParts in its HTML (the decks split there)


class ChartParts:
    """A chart shown in parts, one :class:`ChartImage` after another (``.parts``): a map too
    tall for one slide while projecting. Its HTML puts ``PART_BREAK`` between the parts, and the
    deck builder gives each part a slide of its own."""

    def __init__(self, parts):
        self.parts = list(parts)
        self.alt_text = " ".join(p.alt_text for p in self.parts)
        self.png = None  # one picture per part: ``parts[i].png``

    @property
    def table(self):
        """The parts' tables, one after another (None when the parts offer none)."""
        tables = [p.table for p in self.parts if p.table is not None]
        if not tables:
            return None
        import pandas as pd

        return pd.concat(tables, ignore_index=True)

    def _repr_html_(self):
        return PART_BREAK.join(p._repr_html_() for p in self.parts)

    def __len__(self):
        return len(self.parts)

    def __iter__(self):
        return iter(self.parts)

    def __repr__(self):
        return f"<ChartParts: {len(self.parts)} parts>"


class ChartMessage:
    """What ``show_chart`` returns when the chart cannot be drawn: a plain message, no traceback."""

    def __init__(self, message: str):
        self.message = message
        self.alt_text = message
        self.png = None

    def _repr_html_(self):
        return ('<div role="status" style="border-left:4px solid #a33b00;padding:4px 8px;color:#a33b00">'
                f"\u26a0\ufe0f {html.escape(self.message)}</div>")

    def __repr__(self):
        return self.message


def show_chart(plot_fn, *args, figsize=(8, 4.5), **kwargs):
    """Draw ``plot_fn(ax, *args, **kwargs)`` on a fresh Figure and return a ChartImage.

    Example: ``show_chart(plot_anc_gauge, 800)`` in a notebook cell shows the gauge
    with its alt text as caption. When the data behind the chart cannot be loaded or the
    arguments make no sense (a ``ValueError``, which includes ``widgets.data.DataError``),
    it returns a :class:`ChartMessage` that says so in plain words instead of raising.
    While projecting, a map is drawn at the slide's size (``figsize`` is not used), and one too
    tall for one slide comes back as :class:`ChartParts`, one map per part
    (``widgets.charts.maps.slide_parts``); the decks put each part on a slide of its own.
    """
    if in_presentation():
        from .maps import slide_parts

        try:
            parts = slide_parts(plot_fn, *args, **kwargs)
        except (ValueError, KeyError, FileNotFoundError, TypeError):
            parts = None  # drawn whole below, which says what is wrong
        if parts:
            drawn = [_draw(plot_fn, (), part_kwargs, part_size) for part_kwargs, part_size in parts]
            bad = next((d for d in drawn if isinstance(d, ChartMessage)), None)
            return bad or (drawn[0] if len(drawn) == 1 else ChartParts(drawn))
    return _draw(plot_fn, args, kwargs, figsize)


def _draw(plot_fn, args, kwargs, figsize):
    fig, ax = new_figure(figsize=figsize)
    try:
        with series_style():
            plot_fn(ax, *args, **kwargs)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        what = str(exc).strip("'\"") or exc.__class__.__name__
        return ChartMessage(f"This chart could not be drawn: {what}")
    projected = wrap_titles_when_projected(ax)
    png = figure_png(fig)
    return ChartImage(fig, ax, png, alt_text(ax), projected=projected)
