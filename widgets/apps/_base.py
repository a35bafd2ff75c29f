"""Shared plumbing for the apps: one Figure per app, PNG into an ipw.Image, messages.

Every app builds its matplotlib ``Figure`` once (never through pyplot), draws with
the chart functions (which update their own artists when called again), renders
the same figure to PNG bytes and puts them into ``self.image``.  Errors raised by
the lower layers (``ValueError``, ``DataError``) are caught and shown in
``self.status``; the last good picture stays in place.
"""
from __future__ import annotations

import html
import os

import ipywidgets as ipw
import matplotlib as mpl
from traitlets import Unicode
from matplotlib.figure import Figure

from widgets.charts.render import png_metadata
from widgets.charts.redraw import Redrawer
from widgets.charts.textcache import TextCacheCanvas
from widgets.charts.style import series_style, wrap_titles_when_projected


def _data_error():
    try:
        from widgets.data import DataError
    except Exception:  # the data layer itself failed to import
        return ()
    return (DataError,)


def friendly_errors():
    """The exception types an app turns into a message instead of a traceback."""
    return (ValueError, KeyError, FileNotFoundError) + _data_error()


def esc(text) -> str:
    return html.escape(str(text))


def status_html(message: str = "", kind: str = "info") -> str:
    """An accessible status line: ``kind`` is 'info', 'ok', 'warning' or 'error'."""
    if not message:
        return '<div role="status" aria-live="polite"></div>'
    colours = {"info": "#0072B2", "ok": "#006b4f", "warning": "#8a5a00", "error": "#a33b00"}
    icons = {"info": "\u2139\ufe0f", "ok": "\u2714\ufe0f", "warning": "\u26a0\ufe0f", "error": "\u26a0\ufe0f"}
    colour = colours.get(kind, colours["info"])
    return (
        f'<div role="status" aria-live="polite" style="border-left:4px solid {colour};'
        f'padding:4px 8px;margin:4px 0;color:{colour}">'
        f'{icons.get(kind, "")} {esc(message)}</div>'
    )


DISCLAIMER = (
    "Educational material, not medical advice: decisions about diagnosis or treatment "
    "belong to a clinician who knows the person."
)


def disclaimer_html() -> str:
    return f'<p style="font-size:smaller;font-style:italic">{esc(DISCLAIMER)}</p>'


# Set by tools/build_site.py while it executes notebooks for the offline decks and site.
RENDER_ENV = "IMMUNE_BALANCE_RENDER"
STATIC_NOTE = ("This is a picture of the widget's starting view: its controls need Python, "
               "so they are live when the notebook runs in JupyterLab.")


def kernel_free() -> bool:
    """True while notebooks are rendered for pages that have no kernel (decks, static site)."""
    return os.environ.get(RENDER_ENV, "").strip().lower() == "static"


def static_note() -> ipw.HTML:
    """The one-line note a kernel-bound widget shows in a deck or on the static site."""
    return ipw.HTML(f'<p class="ib-static-note" style="font-style:italic;color:#555">{esc(STATIC_NOTE)}</p>')


def _plain(markup: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


class ChartImage(ipw.Image):
    """A chart picture whose ``tooltip`` is its alt text: the browser view writes the tooltip into
    the <img>'s ``title`` (its accessible name) only when the model has an empty ``description``,
    which a plain ``ipw.Image`` lacks (the view then fails to set any title)."""

    description = Unicode("").tag(sync=True)


def _alt_from_caption(page) -> None:
    """A pre-rendered page (chart image + "Chart: ..." caption): the image becomes a ChartImage
    named by the caption's text, as FigureApp's live chart is."""
    children = list(getattr(page, "children", ()))
    captions = [c for c in children if isinstance(c, ipw.HTML) and "<em>Chart:</em>" in c.value]
    for i, child in enumerate(children):
        if isinstance(child, ipw.Image) and not isinstance(child, ChartImage) and captions:
            children[i] = ChartImage(value=child.value, format=child.format, layout=child.layout,
                                     tooltip=_plain(captions[0].value.replace("<em>Chart:</em>", "")))
            captions[0].add_class("ib-chart-caption")
            page.children = children
            break


def linked_gallery(toggle: ipw.ToggleButtons, pages) -> ipw.VBox:
    """A kernel-free gallery: the toggle's index is jslinked, in the browser, to a Stack of
    pre-rendered pages, so switching works in a static page or an offline deck."""
    for page in pages:
        _alt_from_caption(page)
    stack = ipw.Stack(list(pages), selected_index=0)
    link = ipw.jslink((toggle, "index"), (stack, "selected_index"))
    gallery = ipw.VBox([toggle, stack])
    gallery.toggle, gallery.stack, gallery.link = toggle, stack, link
    return gallery


def finish_for_static_pages(app: ipw.Box, gallery: ipw.Box | None = None) -> None:
    """Make ``app`` useful without a kernel: show ``gallery`` (a jslinked, pre-rendered
    toggle + Stack) in its place, or else keep its starting view and add the note."""
    if not kernel_free():
        return
    if gallery is not None:
        app.gallery = gallery  # keeps the jslink alive with the app
        app.children = list(gallery.children)
    else:
        app.children = [static_note(), *app.children]


class FigureApp(ipw.VBox):
    """Base class: owns ``self.figure``, ``self.image``, ``self.caption``, ``self.status``."""

    figsize = (8, 4.5)
    # the image is shown at most this wide (see ``self.image``'s layout): wider figures are
    # rendered at a lower DPI so that no pixel is drawn and sent only to be scaled away
    max_width_px = 1000

    def __init__(self, children=(), **kwargs):
        super().__init__(children=list(children), **kwargs)

    # -- figure -----------------------------------------------------------
    def _init_figure(self, nrows=1, ncols=1, figsize=None, **gridspec_kw):
        figsize = figsize or self.figsize
        with series_style():
            dpi = min(mpl.rcParams["figure.dpi"], self.max_width_px / figsize[0])
            self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
            TextCacheCanvas(self.figure)  # letters rasterised once, reused on every redraw
            axes = self.figure.subplots(nrows, ncols, squeeze=False,
                                        gridspec_kw=gridspec_kw or None)
        wrap_titles_when_projected(*axes.ravel())
        self.redrawer = Redrawer(self.figure)
        self.image = ChartImage(format="png", layout=ipw.Layout(width="100%", max_width=f"{self.max_width_px}px"))
        self.caption = ipw.HTML(layout=ipw.Layout(max_width=f"{self.max_width_px}px"))
        self.caption.add_class("ib-chart-caption")  # decks hide it: the image carries the same text
        self.status = ipw.HTML(status_html())
        self.render_count = 0
        return axes.ravel().tolist()

    def _layout_signature(self):
        """What decides the margins: titles, axis labels and legends (``texts``) and the widest
        tick label of each axis (``ticks``, in characters)."""
        texts, ticks = [], []
        for ax in self.figure.axes:
            legend = ax.get_legend()
            for axis in (ax.xaxis, ax.yaxis):
                try:
                    lo, hi = axis.get_view_interval()
                    values = axis.get_major_locator().tick_values(lo, hi)
                    labels = axis.get_major_formatter().format_ticks(values)
                    ticks.append(max((len(t) for t in labels), default=0))
                except Exception:  # exotic axes: fall back to always re-laying out
                    ticks.append(None)
            texts.append((ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel(),
                          max((len(t.get_text()) for t in legend.get_texts()), default=0)
                          if legend else 0))
        return tuple(texts), tuple(ticks)

    def _needs_layout(self) -> bool:
        """Run the constrained layout again only when a tick label became wider than the margins
        were made for, or a title, axis label or legend changed and no longer fits in the space
        the last layout gave (narrower ones still fit, and keeping the margins spares the layout:
        a third of a scenario toggle's time)."""
        texts, ticks = self._layout_signature()
        last = getattr(self, "_layout_sig", None)
        ticks_fit = last is not None and None not in ticks and None not in last[1] \
            and all(now <= before for now, before in zip(ticks, last[1]))
        if ticks_fit and texts == last[0]:
            return False
        if ticks_fit and self._decorations_fit():
            self._layout_sig = (texts, last[1])  # the margins are still those made for last[1]
            return False
        self._layout_sig = (texts, ticks)
        return True

    def _layout_boxes(self):
        """Per Axes, the box around its plot area and everything the constrained layout makes
        room for (titles, axis labels, tick labels, legends), in pixels."""
        renderer = self.figure.canvas.get_renderer()
        return [ax.get_tightbbox(renderer, for_layout_only=True) for ax in self.figure.axes]

    def _decorations_fit(self) -> bool:
        """True when every Axes' texts, as they are now, lie within the box they took up right
        after the last layout: the margins made then leave room for them, and nothing overlaps."""
        made_for = getattr(self, "_boxes_at_layout", None)
        if made_for is None:
            return False
        try:
            now = self._layout_boxes()
        except Exception:  # cannot measure: lay out again
            return False
        if len(now) != len(made_for):
            return False
        for new, old in zip(now, made_for):
            if new is None or old is None:
                return False
            if new.x0 < old.x0 - 0.5 or new.y0 < old.y0 - 0.5 or new.x1 > old.x1 + 0.5 or new.y1 > old.y1 + 0.5:
                return False
        return True

    def _render(self, alt: str):
        """Render the (updated) figure to PNG bytes and refresh the caption.

        The constrained layout (margins for labels and legends) is the slowest part
        of a full draw, so it only runs when something that decides the margins changed;
        otherwise the figure keeps the positions from the last layout. Between layouts
        ``self.redrawer`` redraws only the artists that changed on top of the picture of
        the rest (``widgets.charts.redraw``), and skips drawing when nothing changed.
        """
        relayout = self._needs_layout()
        if relayout:
            self.figure.set_layout_engine("constrained")
        else:
            self.figure.set_layout_engine("none")
        with series_style():
            # in a deck build the PNG also records its smallest text size (the decks' legibility test)
            png = self.redrawer.render(force_full=relayout, text=png_metadata(self.figure))
            if relayout:  # the space the new layout gave each Axes' texts
                self._boxes_at_layout = self._layout_boxes()
        # The accessible name (title) and the picture go to the page in one message: ipywidgets
        # rebuilds the image (a new blob, another decode) for every message that changes it.
        with self.image.hold_sync():
            self.image.tooltip = alt
            if png != self.image.value:
                self.image.value = png
        caption = f'<p style="margin:2px 0 8px 0"><em>Chart:</em> {esc(alt)}</p>'
        if caption != self.caption.value:
            self.caption.value = caption
        self.render_count += 1

    # -- messages ---------------------------------------------------------
    def _say(self, message: str = "", kind: str = "info"):
        self.status.value = status_html(message, kind)

    def _fail(self, exc: BaseException, what: str = "", notes=()):
        prefix = f"{what}: " if what else ""
        text = str(exc).strip("'\"") or exc.__class__.__name__
        if not text.endswith((".", "!", "?")):
            text += "."
        if getattr(self, "render_count", 0):
            tail = " The last good chart is still shown."
        else:
            tail = " The chart appears once the inputs make sense."
        extra = " ".join(notes)
        self._say(f"{prefix}{text}{tail}" + (f" Also: {extra}" if extra else ""), "error")


def check_start(values: dict, bounds: dict, defaults: dict):
    """Starting values given to an app: numbers inside ``bounds`` (name -> (low, high)).

    Returns ``(values, notes)``: out-of-range numbers are moved to the nearest bound and
    non-numbers replaced by the default, each with a plain note for the status line.
    """
    out, notes = dict(values), []
    for key, (lo, hi) in bounds.items():
        value = values.get(key)
        try:
            number = float(value)
            if number != number:  # NaN: not a number either, and no nearest allowed value
                raise ValueError(value)
        except (TypeError, ValueError):
            notes.append(f"{key}={value!r} is not a number; {defaults[key]:g} is used instead.")
            out[key] = defaults[key]
            continue
        if not lo <= number <= hi:
            notes.append(f"{key}={value!r} is outside the allowed {lo:g} to {hi:g}; "
                         "the nearest allowed value is used.")
        out[key] = min(max(number, lo), hi)
    return out, notes


def control(widget, description: str, tooltip: str, width: str = "auto"):
    """Set description and tooltip on a control and give its label room."""
    widget.description = description
    widget.tooltip = tooltip
    widget.style.description_width = width
    return widget
