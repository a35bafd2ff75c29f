"""Fast redraws of one long-lived Figure: redraw only what changed, encode the PNG quickly.

An app keeps one ``Figure`` and calls the chart functions on its Axes again after every
control change (they update their artists in place). Drawing the whole figure again costs
100-250 ms on a small machine, most of it rasterising text (tick labels, legends, titles)
that did not change. :class:`Redrawer` keeps the picture of everything that stayed the same
(the *background*) and, on the next change, pastes it back and draws only the artists that
changed, in the order a full draw would use, so the picture is the same as a full redraw.

How it knows what changed: before each render it takes a cheap *fingerprint* of every
artist (the text and position of a Text, the data and style of a Line2D, the geometry and
colours of a Patch, the texts and handles of a Legend) and of every Axes (position, limits,
scales, titles, axis labels, tick labels). A change to an Axes itself (new limits, new tick
labels, a new layout) or to an artist outside the redrawn set means a full draw, after which
the artists that changed become the redrawn set. Artist types it does not know are treated
as changing every time, which is always correct, only slower.

``png_rgb(buffer)`` encodes an RGBA buffer as an RGB PNG with no row filter and zlib level 1:
lossless, about half the time of PIL's default, and smaller than matplotlib's RGBA PNG for
these flat-coloured charts.

Nothing here imports pyplot or ipywidgets.
"""
from __future__ import annotations

import struct
import zlib
from operator import attrgetter

import numpy as np
from matplotlib.axis import Axis
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.transforms import Bbox

_ALWAYS = object()  # fingerprint of an artist we cannot describe: never equal to anything


def _arr(values) -> bytes:
    try:
        return np.asarray(values, dtype=float).tobytes()
    except (TypeError, ValueError):
        return repr(values).encode()


def _text_fp(t: Text):
    bbox = t.get_bbox_patch()
    return ("text", t.get_text(), repr(t.get_position()), str(t.get_color()),
            t.get_horizontalalignment(), t.get_verticalalignment(), t.get_rotation(),
            t.get_fontsize(), str(t.get_fontweight()), t.get_fontstyle(), t.get_wrap(), t.get_alpha(),
            None if bbox is None else (str(bbox.get_facecolor()), bbox.get_alpha()))


def _line_fp(line: Line2D):
    return ("line", _arr(line.get_xdata(orig=False)), _arr(line.get_ydata(orig=False)),
            str(line.get_color()), line.get_linestyle(), line.get_linewidth(), str(line.get_marker()),
            line.get_markersize(), str(line.get_markerfacecolor()), str(line.get_markeredgecolor()),
            line.get_alpha(), id(line.get_transform()))


def _patch_fp(p: Patch):
    return ("patch", type(p).__name__, _arr(p.get_path().vertices), _arr(p.get_patch_transform().get_matrix()),
            tuple(p.get_facecolor()), tuple(p.get_edgecolor()), p.get_hatch(), p.get_linewidth(),
            p.get_alpha(), p.get_fill(), id(p.get_data_transform()))


def fingerprint(artist):
    """A cheap, comparable description of what ``artist`` puts on the canvas."""
    if not artist.get_visible():
        return ("hidden",)
    base = (artist.get_zorder(), artist.get_clip_on())
    if isinstance(artist, Spine):
        return base + ("spine", tuple(artist.get_edgecolor()), artist.get_linewidth())
    if isinstance(artist, Axis):
        return base + ("axis",)  # what an axis draws is in the Axes fingerprint
    if isinstance(artist, Text):
        return base + _text_fp(artist)
    if isinstance(artist, Line2D):
        return base + _line_fp(artist)
    if isinstance(artist, Patch):
        return base + _patch_fp(artist)
    if isinstance(artist, Legend):
        handles = []
        for h in artist.legend_handles:
            if isinstance(h, Line2D):
                handles.append(_line_fp(h)[3:11])
            elif isinstance(h, Patch):
                handles.append(_patch_fp(h)[4:10])
            else:
                return _ALWAYS
        return base + ("legend", tuple(t.get_text() for t in artist.get_texts()), tuple(handles),
                       artist._loc, repr(artist.get_bbox_to_anchor().bounds), artist.get_frame_on())
    return _ALWAYS


def _ticks(axis):
    lo, hi = axis.get_view_interval()
    values = axis.get_major_locator().tick_values(lo, hi)
    return _arr(values), tuple(axis.get_major_formatter().format_ticks(values))


def axes_fingerprint(ax):
    """``(frame, x view, y view)`` of an Axes: position, scales, titles and axis labels; then
    the limits and tick labels of each axis."""
    titles = tuple((t.get_text(), t.get_fontsize(), t.get_wrap()) for t in (ax.title, ax._left_title, ax._right_title))
    frame = (ax.get_visible(), ax.axison, tuple(ax.get_position().bounds), ax.get_xscale(), ax.get_yscale(),
             titles, ax.get_xlabel(), ax.get_ylabel())
    xview = (tuple(ax.get_xlim()), _ticks(ax.xaxis) if ax.axison else None)
    yview = (tuple(ax.get_ylim()), _ticks(ax.yaxis) if ax.axison else None)
    return frame, xview, yview


def _moves_with_limits(ax, artist):
    """Whether new axis limits can move ``artist`` on the canvas (anything placed in data
    coordinates, and a legend that finds its own best place)."""
    if isinstance(artist, (Axis, Spine)) or artist in (ax.title, ax._left_title, ax._right_title):
        return False
    if isinstance(artist, Legend):
        return artist._loc in (0, "best")
    return artist.get_transform() is not ax.transAxes


def draw_order(ax):
    """The artists of ``ax`` in the order ``Axes.draw`` draws them (without the Axes patch)."""
    artists = ax.get_children()
    artists.remove(ax.patch)
    if not (ax.axison and ax._frameon):
        artists = [a for a in artists if not isinstance(a, Spine)]
    if not ax.axison:
        artists = [a for a in artists if not isinstance(a, Axis)]
    return sorted(artists, key=attrgetter("zorder"))


def png_rgb(rgba, text=None) -> bytes:
    """Lossless PNG of the RGB part of an RGBA buffer (rows unfiltered, zlib level 1), with
    ``text`` (a dict, optional) as PNG text chunks."""
    rgba = np.asarray(rgba)
    h, w = rgba.shape[:2]
    raw = np.empty((h, w * 3 + 1), np.uint8)
    raw[:, 0] = 0  # filter type "none" for every row
    raw[:, 1:].reshape(h, w, 3)[...] = rgba[..., :3]

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    texts = b"".join(chunk(b"tEXt", f"{k}\0{v}".encode("latin-1", "replace")) for k, v in (text or {}).items())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + texts
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + chunk(b"IEND", b""))


class Redrawer:
    """Renders one Figure again and again, redrawing only the artists that changed.

    ``render(force_full=False, text=None) -> bytes`` returns the PNG of the figure as it is now
    (``text``: PNG text chunks, see :func:`png_rgb`).
    ``last_mode`` says what the last call did: ``"full"``, ``"partial"`` or ``"unchanged"``
    (nothing changed since the last render: the previous PNG is returned as it was).
    """

    shrink_after = 6

    def __init__(self, figure):
        self.figure = figure
        self.last_mode = None
        self.counts = {"full": 0, "partial": 0, "unchanged": 0}
        self._state = None        # fingerprints at the last render
        self._background = None   # pixels of everything except self._dynamic
        self._dynamic = None      # per Axes: indices (into draw_order) redrawn on top of the background
        self._png = None
        self._text = None
        self._smaller_streak = 0

    # -- state -----------------------------------------------------------------
    def _snapshot(self):
        fig = self.figure
        figure_key = (tuple(fig.get_size_inches()), fig.dpi, len(fig.axes),
                      tuple(fingerprint(a) for a in (*fig.texts, *fig.legends, *fig.patches, *fig.lines)))
        axes = []
        for ax in fig.axes:
            order = draw_order(ax)
            axes.append((axes_fingerprint(ax), [type(a) for a in order], [fingerprint(a) for a in order]))
        return figure_key, axes

    def _changed(self, old, new):
        """Per Axes, the indices of artists whose fingerprint changed (new limits count as a
        change of that axis and of everything placed in data coordinates); None when an Axes
        frame (position, scales, titles, labels) or the figure changed: only a full draw will do."""
        if old is None or old[0] != new[0] or len(old[1]) != len(new[1]):
            return None
        out = []
        for ax, (okey, otypes, ofps), (nkey, ntypes, nfps) in zip(self.figure.axes, old[1], new[1]):
            if okey[0] != nkey[0] or otypes != ntypes:
                return None
            changed = {i for i, (a, b) in enumerate(zip(ofps, nfps)) if a is _ALWAYS or b is _ALWAYS or a != b}
            if okey[1:] != nkey[1:]:
                order = draw_order(ax)
                for i, artist in enumerate(order):
                    if ((artist is ax.xaxis and okey[1] != nkey[1]) or (artist is ax.yaxis and okey[2] != nkey[2])
                            or _moves_with_limits(ax, artist)):
                        changed.add(i)
            out.append(changed)
        return out

    # -- drawing -----------------------------------------------------------------
    def render(self, force_full: bool = False, text=None) -> bytes:
        state = self._snapshot()
        changed = None if force_full else self._changed(self._state, state)
        if changed is not None and self._png is not None and not any(changed) and text == self._text:
            self.last_mode = "unchanged"
        elif (changed is not None and self._background is not None
              and all(c <= d for c, d in zip(changed, self._dynamic)) and not self._shrink(changed)):
            self._draw_partial()
            self.last_mode = "partial"
        else:
            self._draw_full(changed)
            self.last_mode = "full"
        self.counts[self.last_mode] += 1
        if self.last_mode != "unchanged":
            self._png = png_rgb(self.figure.canvas.buffer_rgba(), text)
            self._text = text
            # layouts and draws can move things: remember the state as drawn
            self._state = self._snapshot() if self.last_mode == "full" else state
        return self._png

    def _shrink(self, changed) -> bool:
        """True when the last ``shrink_after`` changes all touched fewer artists than are
        being redrawn (say new limits once made the tick labels dynamic, and since then only
        one line moves): one full draw then makes a background holding the rest, and later
        redraws are cheaper again. Not sooner: limits that change every few moves would
        otherwise cost a full draw each way."""
        smaller = any(min(c, default=len(d)) > min(d, default=0) for c, d in zip(changed, self._dynamic))
        self._smaller_streak = self._smaller_streak + 1 if smaller else 0
        return self._smaller_streak >= self.shrink_after

    def _dynamic_set(self, ax, order, changed):
        """``changed`` and everything a full draw paints after the first of them, so that the
        stacking order is kept. Left out: the titles (they sit above the Axes), and static
        artists drawn wholly outside the area the changed ones can reach (a legend under the
        plot), which nothing redrawn can touch. That area is the Axes box for artists clipped
        to it, and the strip of tick labels beside the Axes for an axis; an unclipped text
        could go anywhere, so with one of those nothing is left out."""
        if not changed:
            return set()
        first = min(changed)
        titles = {id(ax.title), id(ax._left_title), id(ax._right_title)}
        renderer = self.figure.canvas.get_renderer()
        box = ax.bbox
        reach = []
        for i in changed:
            artist = order[i]
            if isinstance(artist, Axis):
                tight = artist.get_tightbbox(renderer)
                if tight is None:
                    continue
                pad = 3 * artist.get_ticklabels()[0].get_fontsize() if artist.get_ticklabels() else 40
                if artist is ax.yaxis:
                    reach.append(Bbox([[tight.x0 - 2, box.y0 - pad], [tight.x1 + 2, box.y1 + pad]]))
                else:
                    reach.append(Bbox([[box.x0 - pad, tight.y0 - 2], [box.x1 + pad, tight.y1 + 2]]))
            elif artist.get_clip_on() and (artist.get_clip_box() is not None or artist.get_clip_path() is not None) \
                    and not isinstance(artist, (Legend, Spine)):
                reach.append(box)
            else:
                reach = None
                break

        def outside(artist):
            if reach is None or isinstance(artist, (Spine, Axis)):
                return False
            try:
                extent = artist.get_window_extent(renderer)
            except Exception:  # cannot tell: redraw it
                return False
            return not any(extent.overlaps(r) for r in reach)

        return {i for i in range(first, len(order))
                if i in changed or (id(order[i]) not in titles and not outside(order[i]))}

    def _draw_full(self, changed):
        fig = self.figure
        orders = [draw_order(ax) for ax in fig.axes]
        if changed is None:
            dynamic = [set() for _ in orders]
        else:
            dynamic = [self._dynamic_set(ax, order, c) for ax, order, c in zip(fig.axes, orders, changed)]
        for order, dyn in zip(orders, dynamic):
            for i, artist in enumerate(order):
                artist.set_animated(i in dyn)
        canvas = fig.canvas
        canvas.draw()  # skips animated artists
        # a picture with nothing to redraw on top is never pasted back: keep no copy (about
        # 1.5 MB per app) until a change shows what moves
        self._background = canvas.copy_from_bbox(fig.bbox) if any(dynamic) else None
        self._dynamic = dynamic
        self._smaller_streak = 0
        self._draw_dynamic(orders)

    def _draw_partial(self):
        self.figure.canvas.restore_region(self._background)
        self._draw_dynamic([draw_order(ax) for ax in self.figure.axes])

    def _draw_dynamic(self, orders):
        renderer = self.figure.canvas.get_renderer()
        for order, dyn in zip(orders, self._dynamic):
            for i in sorted(dyn):
                order[i].draw(renderer)
