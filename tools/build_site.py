"""Build the offline slide decks (build/slides/) and the static site (build/html/).

Usage:
    python tools/build_site.py slides [NOTEBOOK ...]
    python tools/build_site.py html   [NOTEBOOK ...]
    python tools/build_site.py all    [NOTEBOOK ...]

Every notebook is executed once (cells tagged ``test`` removed first; ``solution`` cells
are also dropped from the decks but stay, collapsed, on the site),
with the apps in their kernel-free form (``IMMUNE_BALANCE_RENDER=static``) and the widget
state saved, then rendered. Every script, style and font the pages use is copied next to
them from ``tools/slides/node_modules`` (installed once from the npm registry with
``npm ci``, pinned by ``tools/slides/package-lock.json``), so the decks and the site work
from a USB stick with no network.
"""
from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.exporters import HTMLExporter, SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "tools" / "slides"
NODE_MODULES = ASSETS / "node_modules"
TEMPLATES = ASSETS / "templates"
BUILD = ROOT / "build"
REMOVED_TAGS = {"test"}            # hidden assertions: never shown anywhere
SLIDE_REMOVED_TAGS = {"solution"}  # exercise solutions: kept (collapsed) on the site, not projected
CELL_TIMEOUT_S = 180
DISCLAIMER = ("Educational use only: Immune Balance teaches how the immune system works; "
              "it is not medical advice.")


def notebooks(selected=None):
    paths = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb"))
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
                              reveal_transition="none", reveal_scroll=True, reveal_number="c/t",
                              reveal_width="1280", reveal_height="760",
                              exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                              font_awesome_url="", **_exporter_urls())
    nb, _ = TagRemovePreprocessor(remove_cell_tags=SLIDE_REMOVED_TAGS).preprocess(nbformat.from_dict(nb), {})
    body, _ = exporter.from_notebook_node(nb, resources={"ib_assets": "vendor",
                                                         "metadata": {"name": title_of(nb)}})
    out = dest / f"{path.stem}.slides.html"
    out.write_text(body, encoding="utf-8")
    return out


def export_html(nb, path: Path, dest: Path, nav: str) -> Path:
    exporter = HTMLExporter(template_name="ib-lab", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True, **_exporter_urls())
    body, _ = exporter.from_notebook_node(nb, resources={"ib_assets": "vendor", "ib_nav": nav,
                                                         "metadata": {"name": title_of(nb)}})
    out = dest / f"{path.stem}.html"
    out.write_text(body, encoding="utf-8")
    return out


# ----------------------------------------------------------------------------- index pages
def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<link rel=\"stylesheet\" href=\"vendor/immune-balance.css\"></head>"
            f"<body class=\"ib-index\">{body}</body></html>\n")


def index_page(kind: str, entries) -> str:
    rows = "".join(f"<tr><td><a href=\"{html.escape(href)}\">{html.escape(title)}</a></td></tr>"
                   for title, href in entries)
    if kind == "slides":
        intro = ("<p>One reveal.js deck per notebook. Use the arrow keys to move, <kbd>S</kbd> for speaker "
                 "notes, <kbd>F</kbd> for full screen. To print or save a PDF, add <code>?print-pdf</code> to a "
                 "deck's address and use the browser's Print dialog.</p>")
        heading = "Immune Balance: slide decks"
    else:
        intro = ("<p>The series as web pages, executed. Widgets that need Python show their default view; "
                 "the overactive/balanced/underactive switch works right here in the browser. For everything "
                 "live, open the notebooks in JupyterLab (<code>make lab</code>).</p>")
        heading = "Immune Balance"
        rows += "<tr><td><a href=\"glossary.html\">Glossary</a></td></tr>"
    body = (f"<h1>{heading}</h1>{intro}<p class=\"disclaimer\">{html.escape(DISCLAIMER)}</p>"
            f"<table><tbody>{rows}</tbody></table>")
    return _page(heading, body)


def glossary_page(nav: str) -> str:
    sys.path.insert(0, str(ROOT))
    from widgets.data import load

    terms = load("glossary").sort_values("term", key=lambda s: s.str.lower())
    items = "".join(
        f"<dt id=\"{html.escape(str(r.term).lower().replace(' ', '-'))}\"><strong>{html.escape(str(r.term))}</strong></dt>"
        f"<dd>{html.escape(str(r.definition))}</dd>" for r in terms.itertuples())
    body = (f"<nav class=\"ib-nav\">{nav}</nav><h1>Glossary</h1>"
            f"<p class=\"disclaimer\">{html.escape(DISCLAIMER)}</p><dl>{items}</dl>")
    return _page("Immune Balance: glossary", body)


def nav_links(entries, i) -> str:
    parts = ["<a href=\"index.html\">All notebooks</a>"]
    if i > 0:
        parts.append(f"<a href=\"{entries[i - 1][1]}\" rel=\"prev\">&larr; {html.escape(entries[i - 1][0])}</a>")
    if i + 1 < len(entries):
        parts.append(f"<a href=\"{entries[i + 1][1]}\" rel=\"next\">{html.escape(entries[i + 1][0])} &rarr;</a>")
    parts.append("<a href=\"glossary.html\">Glossary</a>")
    return " ".join(parts)


# ----------------------------------------------------------------------------- main
def build(kinds, selected=None):
    paths = notebooks(selected)
    if not paths:
        sys.exit("no notebooks found to build")
    dests = {k: BUILD / k for k in kinds}
    for dest in dests.values():
        dest.mkdir(parents=True, exist_ok=True)
        copy_assets(dest)
    executed = []
    for path in paths:
        print(f"==> {path.name}")
        executed.append((path, execute(path)))
    if "slides" in dests:
        entries = []
        for path, nb in executed:
            out = export_slides(nb, path, dests["slides"])
            entries.append((title_of(nb), out.name))
        (dests["slides"] / "index.html").write_text(index_page("slides", entries), encoding="utf-8")
        print(f"==> slides in {dests['slides']}/index.html")
    if "html" in dests:
        entries = [(title_of(nb), f"{path.stem}.html") for path, nb in executed]
        for i, (path, nb) in enumerate(executed):
            export_html(nb, path, dests["html"], nav_links(entries, i))
        (dests["html"] / "index.html").write_text(index_page("html", entries), encoding="utf-8")
        (dests["html"] / "glossary.html").write_text(
            glossary_page("<a href=\"index.html\">All notebooks</a>"), encoding="utf-8")
        print(f"==> site in {dests['html']}/index.html")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["slides", "html", "all"])
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    kinds = ["slides", "html"] if args.kind == "all" else [args.kind]
    build(kinds, args.notebooks)


if __name__ == "__main__":
    main()
