"""Build the offline slide decks (build/slides/) and the static site (build/html/).

Usage:
    python tools/build_site.py slides [NOTEBOOK ...]
    python tools/build_site.py html   [--show-code]
    python tools/build_site.py all    [NOTEBOOK ...]

Decks: every notebook is executed once (cells tagged ``test`` and ``solution`` removed first),
with the apps in their kernel-free form (``IMMUNE_BALANCE_RENDER=static``) and the widget state
saved, then rendered by nbconvert into reveal.js. Every script, style and font the decks use is
copied next to them from ``tools/slides/node_modules`` (installed once from the npm registry with
``npm ci``, pinned by ``tools/slides/package-lock.json``), so they work from a USB stick.

Site: Sphinx + myst-nb + sphinx-book-theme (configuration in ``tools/site/conf.py``). The source
folder ``build/site-src/`` is prepared here: every notebook (test cells tagged ``remove-cell`` and
``skip-execution``, code inputs folded away for learners unless ``--show-code``, and a closing
list of the page's glossary terms and sources linking to the glossary and references pages), the
index, the families' route, the glossary (from ``data/glossary.csv``) and the references (from
``data/sources.csv``). Execution is cached by jupyter-cache in ``build/site-cache``; any cell
error, warning or broken cross-reference fails the build (``-W``).
"""
from __future__ import annotations

import argparse
import ast
import csv
import copy
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.exporters import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "tools" / "slides"
NODE_MODULES = ASSETS / "node_modules"
TEMPLATES = ASSETS / "templates"
BUILD = ROOT / "build"
REMOVED_TAGS = {"test"}            # hidden assertions: never shown anywhere
SLIDE_REMOVED_TAGS = {"solution"}  # exercise solutions: kept (collapsed) on the site, not projected
# speaker notes ("ask the room" and their answers): in the decks' speaker view only, never on the site
SITE_REMOVED_TAGS = REMOVED_TAGS | {"teacher"}
SITE_SRC = BUILD / "site-src"
SITE_CONF = ROOT / "tools" / "site"
FAMILIES_NOTEBOOK = "09-for-families"
CELL_TIMEOUT_S = 180
DISCLAIMER = ("Educational use only: Immune Balance teaches how the immune system works; "
              "it is not medical advice.")


def notebooks(selected=None, folder=None):
    paths = sorted(p for p in Path(folder or ROOT / "notebooks").glob("*.ipynb"))
    if selected:
        wanted = {Path(s).name for s in selected}
        paths = [p for p in paths if p.name in wanted]
    return paths


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled"


# ----------------------------------------------------------------------------- assets
def ensure_node_modules():
    if (NODE_MODULES / "reveal.js" / "dist" / "reveal.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("The slide assets (reveal.js, require.js, jQuery, the widget renderer) are installed once "
                 "with npm, which was not found. On Debian: sudo apt-get install nodejs npm")
    print("==> Installing slide assets once with npm ci (tools/slides/package-lock.json)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=ASSETS, check=True)


def copy_assets(dest: Path):
    """Copy the browser assets the pages use into dest/vendor (only what is needed)."""
    ensure_node_modules()
    vendor = dest / "vendor"
    if vendor.exists():
        shutil.rmtree(vendor)
    reveal = NODE_MODULES / "reveal.js"
    # reveal.js itself and only the projection theme used ("white"), with its local fonts:
    # the other themes import web fonts.
    shutil.copytree(reveal / "dist", vendor / "reveal.js" / "dist",
                    ignore=shutil.ignore_patterns("*.map", "*.esm.js", "theme"))
    theme = vendor / "reveal.js" / "dist" / "theme"
    theme.mkdir(parents=True)
    shutil.copy2(reveal / "dist" / "theme" / "white.css", theme / "white.css")
    shutil.copytree(reveal / "dist" / "theme" / "fonts" / "source-sans-pro", theme / "fonts" / "source-sans-pro")
    shutil.copytree(reveal / "plugin" / "notes", vendor / "reveal.js" / "plugin" / "notes",
                    ignore=shutil.ignore_patterns("*.esm.js"))
    shutil.copy2(NODE_MODULES / "requirejs" / "require.js", vendor / "require.js")
    shutil.copy2(NODE_MODULES / "jquery" / "dist" / "jquery.min.js", vendor / "jquery.min.js")
    manager = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
    shutil.copytree(manager, vendor / "html-manager",
                    ignore=shutil.ignore_patterns("*.map", "embed.js", "libembed*.js", "*.d.ts", "*.txt"))
    shutil.copy2(ASSETS / "immune-balance.css", vendor / "immune-balance.css")
    return vendor


# ----------------------------------------------------------------------------- execution
def execute(path: Path):
    nb = nbformat.read(path, as_version=4)
    nb, _ = TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS).preprocess(nb, {})
    os.environ["IMMUNE_BALANCE_RENDER"] = "static"
    os.environ["IMMUNE_BALANCE_PRESENT"] = "1"  # charts drawn for projection: text legible from the back row
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    print(f"    executed {path.name} in {time.perf_counter() - started:.1f} s")
    return nb


# ----------------------------------------------------------------------------- exporters
def _exporter_urls():
    return dict(require_js_url="vendor/require.js", jquery_url="vendor/jquery.min.js",
                widget_renderer_url="vendor/html-manager/embed-amd.js",
                mathjax_url="", mermaid_js_url="", mermaid_layout_elk_js_url="")


def export_slides(nb, path: Path, dest: Path) -> Path:
    exporter = SlidesExporter(template_name="ib-reveal", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_url_prefix="vendor/reveal.js", reveal_theme="white",
                              reveal_transition="none", reveal_scroll=False, reveal_number="c/t",
                              reveal_width="1280", reveal_height="760",
                              exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                              font_awesome_url="", **_exporter_urls())
    nb, _ = TagRemovePreprocessor(remove_cell_tags=SLIDE_REMOVED_TAGS).preprocess(nbformat.from_dict(nb), {})
    nb = charts_on_their_own_slides(fold_widget_explanations(long_tables_in_parts(chart_parts_as_cells(nb))))
    nb = quiz_one_question_per_slide(chart_descriptions_in_notes(nb))
    body, _ = exporter.from_notebook_node(nb, resources={"ib_assets": "vendor",
                                                         "metadata": {"name": title_of(nb)}})
    out = dest / f"{path.stem}.slides.html"
    out.write_text(body, encoding="utf-8")
    return out


ALT = re.compile(r'<img\b[^>]*\balt="([^"]{20,})"')
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NEW_SLIDE = {"slide", "subslide"}


def _slide_type(cell):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def _widget_shows_image(states: dict, model_id: str, seen=None) -> bool:
    """Whether the widget (or any widget inside it) is an image: a chart drawn by an app."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in states:
        return False
    seen.add(model_id)
    model = states[model_id]
    if model.get("model_name") == "ImageModel":
        return True
    children = model.get("state", {}).get("children", [])
    return any(_widget_shows_image(states, c.removeprefix("IPY_MODEL_"), seen) for c in children)


def shows_chart(cell, states: dict) -> bool:
    """A code cell whose output is a chart: an image, or a widget that holds one."""
    if cell.cell_type != "code":
        return False
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data or "<img" in str(data.get("text/html", "")):
            return True
        view = data.get(WIDGET_VIEW)
        if view and _widget_shows_image(states, view.get("model_id", "")):
            return True
    return False


def shows_table_or_widget(cell) -> bool:
    """A code cell whose output is a data table (``show_table`` and the like) or a widget (a
    checklist, a search box): each is as tall as a chart and needs a slide of its own as much."""
    if cell.cell_type != "code":
        return False
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if WIDGET_VIEW in data or "<table" in str(data.get("text/html", "")):
            return True
    return False


FOLD_CHARS = 240  # a widget's text under its chart longer than this folds away in a deck


def _plain_text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def fold_widget_explanations(nb):
    """In a deck a widget's chart keeps the slide: a long text under the chart (the numbers in
    words, what they mean, the sources) folds away behind "Show the explanation", as a quiz
    answer does, so the chart need not shrink below legible size. A panel that opens with its
    own heading stays open (the scenario explorer's panel names the view its toggle shows)."""
    states = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model in states.values():
        children = [states.get(c.removeprefix("IPY_MODEL_"), {})
                    for c in model.get("state", {}).get("children", [])]
        below_chart = False
        for child in children:
            if child.get("model_name") == "ImageModel":
                below_chart = True
                continue
            state = child.get("state", {})
            value = state.get("value", "")
            if (below_chart and child.get("model_name") == "HTMLModel" and isinstance(value, str)
                    and "ib-chart-caption" not in state.get("_dom_classes", [])
                    and not re.match(r"\s*<div[^>]*>\s*<h\d", value)
                    and len(_plain_text(value)) > FOLD_CHARS and "ib-widget-more" not in value):
                state["value"] = (f'<details class="ib-widget-more"><summary>Show the explanation</summary>'
                                  f"{value}</details>")
    return nb


def chart_parts_as_cells(nb):
    """A chart drawn in parts (``widgets.charts.render.ChartParts``: a map too tall for one slide)
    becomes one cell per part, one after another, so that each part gets a slide of its own
    (``charts_on_their_own_slides``) and its own description in the speaker notes."""
    from widgets.charts.render import PART_BREAK

    cells = []
    for cell in nb.cells:
        html_out = [o for o in cell.get("outputs", []) if PART_BREAK in str(o.get("data", {}).get("text/html", ""))]
        if cell.cell_type != "code" or len(html_out) != 1:
            cells.append(cell)
            continue
        cells += _one_cell_per_part(cell, html_out[0], str(html_out[0]["data"]["text/html"]).split(PART_BREAK))
    nb.cells = cells
    return nb


def _one_cell_per_part(cell, out, parts: list[str]) -> list:
    """Copies of ``cell``, one per HTML part, each showing only its part in place of ``out``; the
    copies after the first continue the slide above (``charts_on_their_own_slides`` then gives
    each a sub-slide of its own) and get ids of their own."""
    pieces = []
    for i, part in enumerate(parts):
        piece = copy.deepcopy(cell)
        piece.outputs = [nbformat.from_dict({**out, "data": {"text/html": part}})]
        if i:
            piece.id = f"{cell.get('id', 'cell')}-part{i + 1}"
            piece.metadata.setdefault("slideshow", {})["slide_type"] = None
        pieces.append(piece)
    return pieces


TABLE_PART_CHARS = 1000 # a deck slide holds about this many characters of a table at its deck size...
TABLE_PART_ROWS = 8      # ...and at most this many rows
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)


def _table_parts(table_html: str) -> list[str]:
    """The rows of a table's body in groups that each fit one slide (by their length in characters)."""
    body = re.search(r"(<tbody>)(.*?)(</tbody>)", table_html, re.S)
    if not body:
        return [table_html]
    rows = _ROW.findall(body.group(2))
    groups, size = [[]], 0
    for row in rows:
        n = len(_plain_text(row))
        if groups[-1] and (size + n > TABLE_PART_CHARS or len(groups[-1]) >= TABLE_PART_ROWS):
            groups.append([])
            size = 0
        groups[-1].append(row)
        size += n
    if len(groups) == 1:
        return [table_html]
    head, tail = table_html[:body.start(2)], table_html[body.end(2):]
    return [head + "\n" + "\n".join(g) + "\n" + tail for g in groups]


def long_tables_in_parts(nb):
    """A data table too long for one slide becomes one cell per part, each with the table's
    headings and some of its rows, so each part gets a slide of its own (as the parts of a map do)
    instead of a slide that scrolls. The last part keeps the line of sources under the table."""
    cells = []
    for cell in nb.cells:
        outs = cell.get("outputs", []) if cell.cell_type == "code" else []
        tables = [o for o in outs if str(o.get("data", {}).get("text/html", "")).count("<table") == 1
                  and "<img" not in str(o.get("data", {}).get("text/html", ""))
                  and WIDGET_VIEW not in o.get("data", {})]
        if len(outs) != 1 or len(tables) != 1:
            cells.append(cell)
            continue
        out = tables[0]
        markup = str(out["data"]["text/html"])
        end = markup.index("</table>") + len("</table>")
        parts = _table_parts(markup[:end])
        if len(parts) == 1:
            cells.append(cell)
            continue
        closing = "</div>" if markup.startswith("<div>") else ""
        cells += _one_cell_per_part(cell, out, [
            part + f'<p class="ib-table-part">Part {i + 1} of {len(parts)}</p>'
            + (markup[end:] if i == len(parts) - 1 else closing)
            for i, part in enumerate(parts)])
    nb.cells = cells
    return nb


def _heading_of(cell) -> str | None:
    for line in cell.source.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return None


def charts_on_their_own_slides(nb):
    """In a deck every chart gets a slide to itself, under its slide's heading, so it can fill the
    screen and its text stay legible from the back row: the words before it (a prediction, what to
    look at) stay on their slide, the chart (or the widget that draws one) follows on a sub-slide,
    and the words after it on a further sub-slide, each under the same heading. A chart with
    nothing but a heading before it stays where it is. A data table or a widget is treated the
    same way, so that it does not push the words above it off the screen."""
    states = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    cells, heading, crowded, after_chart = [], None, False, False
    for cell in nb.cells:
        kind = _slide_type(cell)
        if kind in ("notes", "skip"):
            cells.append(cell)
            continue
        chart = shows_chart(cell, states) or shows_table_or_widget(cell)
        if kind in NEW_SLIDE:
            heading = _heading_of(cell) if cell.cell_type == "markdown" else None
        elif (chart and crowded) or after_chart:
            cells += _own_subslide(cell, heading)
            crowded, after_chart = not chart, chart
            continue
        cells.append(cell)
        crowded = (kind not in NEW_SLIDE and not chart) or _has_words_besides_heading(cell)
        after_chart = chart
    nb.cells = cells
    return nb


def _has_words_besides_heading(cell) -> bool:
    if cell.cell_type != "markdown":
        return cell.cell_type == "code" and bool(cell.get("outputs"))
    return any(line.strip() and not line.startswith("#") for line in cell.source.splitlines())


def _own_subslide(cell, heading):
    """``cell`` opening a sub-slide of its own, under ``heading`` repeated when there is one."""
    if not heading:
        cell.metadata.setdefault("slideshow", {})["slide_type"] = "subslide"
        return [cell]
    cell.metadata.setdefault("slideshow", {})["slide_type"] = "-"
    title = nbformat.v4.new_markdown_cell(f"### {heading}", metadata={"slideshow": {"slide_type": "subslide"},
                                                                      "tags": ["ib-chart-heading"]})
    return [title, cell]


def chart_descriptions_in_notes(nb):
    """Each chart's description (its alt text) follows it as a speaker note, so the presenter can
    read it out for anyone who cannot see the screen; the slide itself shows only the chart."""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        alts = []
        for out in cell.get("outputs", []):
            alts += ALT.findall(str(out.get("data", {}).get("text/html", "")))
        if alts:
            text = "\n\n".join(f"Chart description: {html.unescape(a)}" for a in dict.fromkeys(alts))
            cells.append(nbformat.v4.new_markdown_cell(text, metadata={"slideshow": {"slide_type": "notes"},
                                                                       "tags": ["ib-chart-note"]}))
    nb.cells = cells
    return nb


QUIZ_CALL = re.compile(r"""^\s*Quiz\(\s*["']([\w.-]+)["']\s*\)\s*$""")


def quiz_slides(name: str, kind: str = "subslide") -> list:
    """The quiz of a notebook as deck slides: one question per slide, its choices lettered, and the
    answer with the reason for every choice folded away until the presenter opens it."""
    from widgets.data import load_quiz

    questions = load_quiz(name)["questions"]
    cells = []
    for i, q in enumerate(questions, start=1):
        letters = "abcdefgh"
        choices = "\n".join(f"- **{letters[j]}.** {c['text']}" for j, c in enumerate(q["choices"]))
        right = next(letters[j] for j, c in enumerate(q["choices"]) if c["correct"])
        reasons = "\n".join(f"- **{letters[j]}** ({'right' if c['correct'] else 'not quite'}): {c['why']}"
                             for j, c in enumerate(q["choices"]))
        text = (f"### Question {i} of {len(questions)}\n\n**{q['prompt']}**\n\n{choices}\n\n"
                f"<details><summary>Show the answer</summary>\n\nAnswer: **{right}**\n\n{reasons}\n\n</details>")
        cells.append(nbformat.v4.new_markdown_cell(text, metadata={"slideshow": {"slide_type": kind},
                                                                   "tags": ["ib-quiz-slide"]}))
    return cells


def quiz_one_question_per_slide(nb):
    """Decks project one quiz question per slide: a cell showing ``Quiz("name")`` becomes one
    slide per question (the notebook and the site keep the interactive quiz)."""
    cells = []
    for cell in nb.cells:
        m = QUIZ_CALL.match(cell.source) if cell.cell_type == "code" else None
        if m and "test" not in cell.metadata.get("tags", []):
            cells += quiz_slides(m.group(1))
        else:
            cells.append(cell)
    nb.cells = cells
    return nb


# ----------------------------------------------------------------------------- index pages
def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<link rel=\"stylesheet\" href=\"vendor/immune-balance.css\"></head>"
            f"<body class=\"ib-index\">{body}</body></html>\n")


def index_page(kind: str, entries) -> str:
    rows = "".join(f"<tr><td><a href=\"{html.escape(href)}\">{html.escape(title)}</a></td></tr>"
                   for title, href in entries)
    intro = ("<p>One reveal.js deck per notebook. Use the arrow keys to move, <kbd>S</kbd> for speaker "
             "notes, <kbd>F</kbd> for full screen. To print or save a PDF, add <code>?print-pdf</code> to a "
             "deck's address and use the browser's Print dialog.</p>")
    heading = "Immune Balance: slide decks"
    body = (f"<main><h1>{heading}</h1>{intro}<p class=\"disclaimer\">{html.escape(DISCLAIMER)}</p>"
            f"<table><caption>The decks</caption><tbody>{rows}</tbody></table></main>")
    return _page(heading, body)


# ----------------------------------------------------------------------------- site (Sphinx)
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>{}#|~$])")


def md_escape(text) -> str:
    """Plain text for a MyST page: markdown and role characters escaped."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def role_text(text) -> str:
    """Text inside a role's backticks (`{term}` or `{ref}` title): no backticks or angle brackets."""
    return re.sub(r"[`<>]", "", " ".join(str(text).split()))


def read_csv(name):
    with open(ROOT / "data" / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def source_label(source_id: str) -> str:
    return f"src-{source_id.lower()}"


def _call_lists(nb, name: str):
    """The literal list given to `name([...])` in the notebook's code cells (Glossary, References)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "test" in cell.metadata.get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == name and node.args
                    and isinstance(node.args[0], (ast.List, ast.Tuple))):
                found += [e.value for e in node.args[0].elts if isinstance(e, ast.Constant)]
    return found


def terms_and_sources_cell(nb, terms: dict, sources: dict):
    """A closing markdown cell: the page's glossary terms and sources, linked to the site's
    glossary and references pages (cross-references Sphinx checks)."""
    lines = []
    page_terms = [terms[t.lower()] for t in _call_lists(nb, "Glossary") if t.lower() in terms]
    if page_terms:
        lines.append("**Terms on this page** (in the [glossary](../glossary.md)): "
                     + ", ".join(f"{{term}}`{role_text(t)}`" for t in dict.fromkeys(page_terms)) + ".")
    page_sources = [s for s in _call_lists(nb, "References") if s in sources]
    if page_sources:
        lines.append("**Sources for this page** (in the [references](../references.md)): "
                     + "; ".join(f"{{ref}}`{role_text(sources[s]['title'])} <{source_label(s)}>`"
                                 for s in dict.fromkeys(page_sources)) + ".")
    if not lines:
        return None
    return nbformat.v4.new_markdown_cell("\n\n".join(lines), metadata={"tags": ["site-links"]})


def site_notebook(path: Path, terms: dict, sources: dict, show_code: bool):
    """The notebook as the site shows it: test cells neither shown nor executed, code inputs
    folded away (one "Show code cell source" switch per cell) unless show_code, terms and sources
    linked at the end."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        if SITE_REMOVED_TAGS & set(tags) or cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            tags += ["remove-cell", "skip-execution"]
        elif cell.cell_type == "code" and not show_code:
            tags.append("hide-input")
        if tags:
            cell.metadata["tags"] = list(dict.fromkeys(tags))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    closing = terms_and_sources_cell(nb, terms, sources)
    if closing is not None:
        nb.cells.append(closing)
    return nb


def glossary_md(rows) -> str:
    known = {r["term"].lower(): r["term"] for r in rows}
    out = ["# Glossary", "", md_escape(DISCLAIMER), "",
           "Every term the notebooks define, in alphabetical order. The notebooks link here.", "",
           "```{glossary}", ":sorted:", ""]
    for r in rows:
        out.append(role_text(r["term"]))
        out.append("  " + md_escape(r["definition"]))
        see = [known[t.strip().lower()] for t in (r.get("see_also") or "").split(";")
               if t.strip().lower() in known and t.strip().lower() != r["term"].lower()]
        if see:
            out.append("")
            out.append("  See also: " + ", ".join(f"{{term}}`{role_text(t)}`" for t in see) + ".")
        out.append("")
    out.append("```")
    return "\n".join(out) + "\n"


def references_md(rows) -> str:
    out = ["# References", "", "Every source the series cites (`data/sources.csv`), in alphabetical "
           "order of title. Each notebook lists its own sources at its end.", ""]
    for r in sorted(rows, key=lambda r: r["title"].lower()):
        bits = [f"**{md_escape(r['title'])}**"]
        if r.get("publisher"):
            bits.append(md_escape(r["publisher"]))
        if r.get("year"):
            bits.append(md_escape(r["year"]))
        text = ". ".join(bits) + "."
        if r.get("url"):
            text += f" <{r['url'].strip()}>"
        if r.get("accessed"):
            text += f" (accessed {md_escape(r['accessed'])})"
        out += [f"({source_label(r['id'])})=", text + f" `{r['id']}`", ""]
    return "\n".join(out)


def index_md(stems) -> str:
    return "\n".join([
        "# Immune Balance", "",
        "An interactive teaching series on how the immune system keeps its balance and what happens "
        "when it does not: overactive and underactive responses, the disorders where both meet, how "
        "they are found and how they are treated.", "",
        f"> {md_escape(DISCLAIMER)}", "",
        "These pages are the notebooks, already run. The *Underactive / Balanced / Overactive* switch "
        "and the *IVIG / SCIG* switch work here without Python; other widgets show their starting view. "
        "For every control live, open the notebooks in JupyterLab (`make lab`). Each code cell is "
        "folded away: press *Show code cell source* above an output to see the code. The search box "
        "searches every page, the glossary and the references, and works offline.", "",
        "```{toctree}", ":caption: The series", ":maxdepth: 1", ":glob:", "", "notebooks/*", "```", "",
        "```{toctree}", ":caption: Routes and reference", ":maxdepth: 1", "",
        "for-families", "glossary", "references", "```", "",
    ])


def families_md(stems) -> str:
    have = set(stems)
    steps = []
    if FAMILIES_NOTEBOOK in have:
        steps.append(f"{{doc}}`notebooks/{FAMILIES_NOTEBOOK}`: written for parents, partners and carers; "
                     "start here.")
    for stem, why in (("00-start-here", "how the series works and what the three-way switch shows."),
                      ("01-immune-balance", "what a balanced immune response looks like, in plain words."),
                      ("03-immunodeficiency", "when defence is too weak, and how doctors test for it."),
                      ("05-autoimmune-neutropenia", "counting neutrophils, and why a fever at a low count "
                                                    "needs a doctor the same day."),
                      ("06-immunoglobulin-replacement", "antibody treatment given through a vein or under the skin."),
                      ("07-immunomodulation-and-risks", "the side effects of that treatment, how often they happen, "
                                                        "and deciding together.")):
        if stem in have:
            steps.append(f"{{doc}}`notebooks/{stem}`: {why}")
    steps.append("The {doc}`glossary`: every word the notebooks explain.")
    body = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    from widgets.families import CONDITIONS

    summaries = "".join(f'<li><a href="_static/summaries/{html.escape(k)}.html">{html.escape(v["title"])}</a></li>'
                        for k, v in CONDITIONS.items())
    return "\n".join([
        "# For families", "",
        "You do not have to read the whole series. If someone close to you lives with an immune "
        "disorder, these pages are a shorter way through, in this order:", "", body, "",
        "## One page to print", "",
        "Each summary fits on one sheet: when to get help now, questions for the care team, and "
        "vaccines in the household. Open one and use the browser's *Print* (or *Save as PDF*).", "",
        f'<ul class="ib-summaries">{summaries}</ul>', "",
        f"> {md_escape(DISCLAIMER)} Questions about one person's care belong with their own clinical team.", "",
    ])


SITE_CSS = """/* Immune Balance site: small additions to sphinx-book-theme. */
.ib-static-note { font-style: italic; color: #444; }
.cell_output img { max-width: 100%; height: auto; }
/* widget boxes grow with their content instead of becoming small scroll areas a keyboard cannot reach */
.cell_output .jupyter-widgets.widget-box { overflow: visible; }
"""


def write_if_changed(path: Path, text: str):
    """Write text unless the file already holds it (keeps Sphinx's incremental rebuild)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def prepare_site_source(paths, show_code=False, src=SITE_SRC) -> Path:
    """Write build/site-src: conf.py, pages, prepared notebooks and the local widget scripts."""
    terms = {r["term"].lower(): r["term"] for r in read_csv("glossary")}
    sources = {r["id"]: r for r in read_csv("sources")}
    wanted = {f"{p.stem}.ipynb" for p in paths}
    nb_dir = src / "notebooks"
    nb_dir.mkdir(parents=True, exist_ok=True)
    for old in nb_dir.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for path in paths:
        nb = site_notebook(path, terms, sources, show_code)
        write_if_changed(nb_dir / path.name, nbformat.writes(nb) + "\n")
    stems = [p.stem for p in paths]
    write_if_changed(src / "conf.py", (SITE_CONF / "conf.py").read_text(encoding="utf-8"))
    write_if_changed(src / "index.md", index_md(stems))
    write_if_changed(src / "for-families.md", families_md(stems))
    write_if_changed(src / "glossary.md", glossary_md(read_csv("glossary")))
    write_if_changed(src / "references.md", references_md(read_csv("sources")))
    static = src / "_static"
    write_if_changed(static / "immune-balance-site.css", SITE_CSS)
    from family_summaries import build as build_summaries  # tools/family_summaries.py, beside this file

    build_summaries(static / "summaries")  # the printable one-page summaries, linked from for-families
    ensure_node_modules()
    vendor = static / "vendor"
    if not (vendor / "html-manager" / "embed-amd.js").exists():
        vendor.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / "requirejs" / "require.js", vendor / "require.js")
        shutil.copytree(NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist", vendor / "html-manager",
                        ignore=shutil.ignore_patterns("*.map", "embed.js", "libembed*.js", "*.d.ts", "*.txt"))
    return src


def code_and_data_fingerprint() -> str:
    """A hash of the package and the data: jupyter-cache keys on the notebooks' code cells only,
    so a change in widgets/ or data/ must empty the cache or the site would show old outputs."""
    import hashlib

    digest = hashlib.sha256()
    for folder in ("widgets", "data"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def fresh_cache(cache: Path):
    stamp = cache.parent / "site-cache.fingerprint"
    fingerprint = code_and_data_fingerprint()
    if not stamp.exists() or stamp.read_text().strip() != fingerprint:
        if cache.exists():
            print("==> widgets/ or data/ changed since the last site build: re-executing every notebook")
            shutil.rmtree(cache)
        shutil.rmtree(cache.parent / "site-doctrees", ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")


def failed_notebooks(log: str, paths) -> list:
    """The notebooks a failed Sphinx run names in its warnings and errors, in series order."""
    return [p.name for p in paths if re.search(rf"notebooks[/\\]{re.escape(p.stem)}(?:\.ipynb)?\b", log)]


def build_site(paths, show_code=False, build=BUILD):
    src = prepare_site_source(paths, show_code, build / "site-src")
    fresh_cache(build / "site-cache")
    out = build / "html"
    if out.exists() and not (out / ".buildinfo").exists():
        shutil.rmtree(out)  # an older, non-Sphinx site: start clean
    env = dict(os.environ, MPLBACKEND="Agg", IB_SITE_CACHE=str(build / "site-cache"))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(build / "site-doctrees"), str(src), str(out)], cwd=ROOT, env=env,
                          stderr=subprocess.PIPE, text=True)
    sys.stderr.write(done.stderr)  # Sphinx's warnings and errors, as they would have appeared
    if done.returncode != 0:
        named = failed_notebooks(done.stderr, paths)
        where = f" in {', '.join(named)}" if named else ""
        sys.exit(f"The site build failed (exit {done.returncode}){where}: see the warnings and errors above.")
    print(f"==> site in {out}/index.html ({time.perf_counter() - started:.0f} s)")
    return out


# ----------------------------------------------------------------------------- main
def build(kinds, selected=None, show_code=False, folder=None, build_dir=BUILD):
    paths = notebooks(selected, folder)
    if not paths:
        sys.exit("no notebooks found to build")
    if "slides" in kinds:
        dest = BUILD / "slides"
        dest.mkdir(parents=True, exist_ok=True)
        copy_assets(dest)
        entries = []
        for path in paths:
            print(f"==> {path.name}")
            nb = execute(path)
            out = export_slides(nb, path, dest)
            entries.append((title_of(nb), out.name))
        (dest / "index.html").write_text(index_page("slides", entries), encoding="utf-8")
        print(f"==> slides in {dest}/index.html")
    if "html" in kinds:
        build_site(notebooks(folder=folder), show_code, build_dir)  # the site always holds the whole series


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["slides", "html", "all"])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--show-code", action="store_true",
                        help="site: show every code cell's source instead of folding it away")
    parser.add_argument("--notebooks-dir", type=Path, default=None,
                        help="site: build from the notebooks in this folder (default: notebooks/)")
    parser.add_argument("--build-dir", type=Path, default=BUILD,
                        help="site: write site-src, site-cache and html under this folder (default: build/)")
    args = parser.parse_args(argv)
    kinds = ["slides", "html"] if args.kind == "all" else [args.kind]
    build(kinds, args.notebooks, args.show_code, args.notebooks_dir, args.build_dir.resolve())


if __name__ == "__main__":
    main()
