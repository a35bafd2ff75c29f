"""Show rows of the curated tables in a notebook, so numbers come from data, not typing.

    from widgets.display import show_table
    show_table("anc_bands", where={"population": "over_1_year"},
               columns=["severity", "anc_min_per_ul", "anc_max_per_ul"],
               caption="Neutrophil count bands")

``show_table`` never raises for bad input: it returns a small message object
instead, so a notebook cell shows what went wrong in plain words.
"""
from __future__ import annotations

import html
import re
import math

__all__ = ["show_table", "Table", "Message", "readable_heading"]


class Message:
    """A friendly message shown instead of a table (``ok`` is False)."""

    ok = False

    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self):
        return (
            '<div role="status" style="border-left:4px solid #D55E00;padding:4px 8px;'
            f'color:#a33b00">\u26a0\ufe0f {html.escape(self.text)}</div>'
        )

    def __repr__(self):
        return f"Message: {self.text}"


_NUMBER_CELL = re.compile(r"[\s\d.,%<>≥≤+\-–−]*")


def _left_align_text(body: str) -> str:
    """Columns of words read left to right, heading included (JupyterLab and the decks right-align
    table cells by default); columns of numbers keep the right alignment that lines up their digits."""
    head, sep, rest = body.partition("</thead>")
    rows = [re.findall(r"<td>(.*?)</td>", row, flags=re.S) for row in re.findall(r"<tr>(.*?)</tr>", rest, flags=re.S)]
    width = max(map(len, rows), default=0)
    words = [any(j < len(r) and not _NUMBER_CELL.fullmatch(r[j]) for r in rows) for j in range(width)]

    def aligned(tag, cells_html):
        columns = iter(range(width))
        return re.sub(f"<{tag}>", lambda _: f'<{tag} style="text-align:'
                      f'{"left" if words[next(columns, 0)] else "right"}">', cells_html)

    body_rows = re.sub(r"<tr>(.*?)</tr>", lambda m: "<tr>" + aligned("td", m.group(1)) + "</tr>", rest, flags=re.S)
    return (aligned("th", head) if width else head) + sep + body_rows


class Table:
    """A displayable table: ``.df`` (the rows), ``.caption``, HTML with a sources line."""

    ok = True

    def __init__(self, df, caption=None, source_ids=()):
        self.df = df
        self.caption = caption
        self.source_ids = list(source_ids)

    def _repr_html_(self):
        body = self.df.to_html(index=False, escape=True, border=0, na_rep="", justify="left",
                               float_format=_fmt_number, classes="ib-table")
        body = _left_align_text(body)
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        if cap:
            body = body.replace(">", ">" + cap, 1)
        src = ""
        if self.source_ids:
            src = ('<p style="font-size:smaller">Sources: '
                   + ", ".join(f"<code>{html.escape(s)}</code>" for s in self.source_ids)
                   + " (see References)</p>")
        return f"<div>{body}{src}</div>"

    def __repr__(self):
        return self.df.to_string(index=False)

    def __len__(self):
        return len(self.df)


# Column headings a reader can read: data column names (``short_name``, ``anc_min_per_ul``) become
# words with their unit in brackets, unless the notebook gives its own heading with ``rename``.
HEADINGS = {
    "short_name": "Name", "disorder_id": "Disorder", "prevalence_text": "How common",
    "anc_min_per_ul": "ANC from (per µL)", "anc_max_per_ul": "ANC below (per µL)",
    "source_ids": "Sources",
}
_UNITS = (("_per_100k", "per 100,000"), ("_per_ul", "per µL"), ("_mg_dl", "mg/dL"),
          ("_g_per_kg", "g/kg"), ("_mg_per_kg", "mg/kg"), ("_years", "years"), ("_days", "days"),
          ("_pct", "%"))
_WORDS = {"anc": "ANC", "igg": "IgG", "iga": "IgA", "igm": "IgM", "ige": "IgE", "ivig": "IVIG",
          "scig": "SCIG", "id": "ID", "min": "minimum", "max": "maximum"}


def readable_heading(column) -> str:
    """``anc_min_per_ul`` -> ``ANC minimum (per µL)``; ``short_name`` -> ``Name``."""
    column = str(column)
    if column in HEADINGS:
        return HEADINGS[column]
    unit = ""
    for suffix, text in _UNITS:
        if column.endswith(suffix):
            column, unit = column[: -len(suffix)], f" ({text})"
            break
    words = [_WORDS.get(w, w) for w in column.split("_") if w]
    text = " ".join(words) or column
    return text[:1].upper() + text[1:] + unit


def _fmt_number(x):
    if isinstance(x, float) and math.isnan(x):
        return ""
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}".rstrip("0").rstrip(".")


def show_table(name, where=None, columns=None, caption=None, rename=None):
    """Rows of table ``name`` (``widgets.data.load(name)``) as a displayable table.

    ``where``: dict column -> value or list of values the row must match.
    ``columns``: which columns to show, in order (default: all but ``source_ids``).
    ``rename``: dict column -> heading; other columns get a readable heading
    (``readable_heading``: words and units, never the raw column name).  The ``source_ids`` of the rows shown are
    listed under the table.  Problems give a ``Message`` instead of an exception.
    """
    try:
        from widgets.data import DataError, load
    except Exception as exc:  # pragma: no cover - the package itself is broken
        return Message(f"The data layer could not be imported ({exc}).")
    try:
        df = load(name)
    except DataError as exc:
        return Message(f"Could not load table '{name}': {exc}")
    except Exception as exc:
        return Message(f"Could not load table '{name}': {exc}")
    if where:
        if not isinstance(where, dict):
            return Message("where must be a dict of column -> value(s), e.g. {'direction': 'overactive'}.")
        for col, wanted in where.items():
            if col not in df.columns:
                return Message(f"Table '{name}' has no column '{col}'. Columns: {', '.join(df.columns)}.")
            values = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
            df = df[df[col].isin(values)]
        if df.empty:
            return Message(f"No rows of '{name}' match {where}.")
    source_ids = []
    if "source_ids" in df.columns:
        for cell in df["source_ids"]:
            for sid in str(cell).split(";"):
                sid = sid.strip()
                if sid and sid not in source_ids:
                    source_ids.append(sid)
    if columns is None:
        columns = [c for c in df.columns if c != "source_ids"]
    else:
        columns = list(columns)
        unknown = [c for c in columns if c not in df.columns]
        if unknown:
            return Message(f"Table '{name}' has no column(s) {', '.join(unknown)}. "
                           f"Columns: {', '.join(df.columns)}.")
    out = df[columns].reset_index(drop=True)
    rename = dict(rename or {})
    out = out.rename(columns={c: rename.get(c, readable_heading(c)) for c in out.columns})
    return Table(out, caption=caption, source_ids=source_ids)
