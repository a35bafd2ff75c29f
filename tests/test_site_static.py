"""Offline decks and static site, checked as files: every notebook gives a deck and a page that load nothing from outside."""
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, load_tool, notebook_paths

REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']\s*(?:https?:)?//""", re.I)
REMOTE_CSS = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*["']?\s*(?:https?:)?//""", re.I)


def _leaf_sections(text):
    """reveal.js slides: the content of every <section> that holds no other <section>."""
    leaves = []
    for chunk in re.split(r"<section\b", text)[1:]:
        # a chunk runs to the next <section>: it is a leaf when it closes before that
        if "</section>" in chunk:
            leaves.append(chunk.split("</section>", 1)[0])
    return leaves


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_every_notebook_yields_a_deck_with_a_title_slide(built_site, path):
    deck = built_site / "slides" / f"{path.stem}.slides.html"
    assert deck.exists(), f"no deck for {path.name}"
    text = deck.read_text(encoding="utf-8")
    slides = _leaf_sections(text)
    assert len(slides) >= 8, f"{deck.name} has {len(slides)} slides, fewer than 8"
    first = slides[0]
    assert re.search(r"<h1\b", first), "the first slide must be the title slide"
    assert 'data-tags="test"' not in text and "assert " not in text, "test cells must not reach the deck"


def _site_pages(site):
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


@pytest.mark.parametrize("kind", ["slides", "html"])
def test_pages_reference_no_remote_script_style_or_font(built_site, kind):
    folder = built_site / kind
    pages = _site_pages(folder)
    assert pages, f"nothing built in {folder}"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text, re.I):
            assert not REMOTE.search(tag), f"{page.name} loads from outside: {tag[:200]}"
        assert not REMOTE_CSS.search(text), f"{page.name} imports a remote style or font"
    for css in folder.rglob("*.css"):
        assert not REMOTE_CSS.search(css.read_text(encoding="utf-8", errors="ignore")), f"{css} loads a remote font"


def _norm(label):
    """Sphinx's element id for a label: lowercase, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def test_site_sidebar_lists_the_series_and_the_families_route(built_site):
    site = built_site / "html"
    index = (site / "index.html").read_text(encoding="utf-8")
    for path in notebook_paths():  # a notebook added later (09-for-families) is picked up by the glob
        assert f"notebooks/{path.stem}.html" in index, f"the index and sidebar miss {path.stem}"
        page = (site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        for target in ("../glossary.html", "../references.html", "../for-families.html", "../search.html"):
            assert f'href="{target}' in page, f"{path.stem}: the sidebar or header lacks {target}"
    families = (site / "for-families.html").read_text(encoding="utf-8")
    assert "notebooks/00-start-here.html" in families and "glossary.html" in families
    if (site / "notebooks" / "09-for-families.html").exists():
        assert "notebooks/09-for-families.html" in families


def test_glossary_and_references_are_built_from_the_data_and_linked_from_the_notebooks(built_site):
    import csv

    from conftest import ROOT

    site = built_site / "html"
    glossary = (site / "glossary.html").read_text(encoding="utf-8")
    terms = [r["term"] for r in csv.DictReader(open(ROOT / "data" / "glossary.csv", encoding="utf-8"))]
    assert glossary.count("<dt") == len(terms), "one glossary entry per row of data/glossary.csv"
    references = (site / "references.html").read_text(encoding="utf-8")
    sources = [r["id"] for r in csv.DictReader(open(ROOT / "data" / "sources.csv", encoding="utf-8"))]
    missing = [s for s in sources if f'id="src-{_norm(s)}"' not in references]
    assert not missing, f"sources without an entry on the references page: {missing[:5]}"
    linked = 0
    for path in notebook_paths():
        page = (site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        if "../glossary.html#term-" in page:
            linked += 1
        for anchor in re.findall(r'href="\.\./references\.html#([^"]+)"', page):
            assert f'id="{anchor}"' in references, f"{path.stem} links to a missing reference {anchor}"
    assert linked >= len(notebook_paths()) - 1, "the notebooks link their terms to the glossary"


def test_code_inputs_are_folded_away_for_learners(built_site):
    for page in (built_site / "html" / "notebooks").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        inputs = text.count('class="cell_input')
        folded = len(re.findall(r'<details class="[^"]*hide above-input', text))
        assert inputs and inputs == folded, f"{page.name}: {inputs - folded} code inputs shown unfolded"


def test_search_index_holds_the_pages(built_site):
    index = (built_site / "html" / "searchindex.js").read_text(encoding="utf-8")
    for word in ("neutropenia", "immunoglobulin", "glossary"):
        assert word in index.lower(), f"the offline search index does not know '{word}'"


def test_hidden_test_cells_are_not_in_the_site(built_site):
    for page in (built_site / "html" / "notebooks").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("_app =", "_app.", "_q =", "_refs =", "assert "):
            assert marker not in text, f"{page.name} shows a hidden test cell ({marker!r})"


def test_no_teacher_material_reaches_the_site(built_site):
    """Speaker notes are for the teacher's deck view: no page of the site shows them."""
    import json

    from conftest import notebook_paths as _paths

    for path in _paths():
        page = built_site / "html" / "notebooks" / f"{path.stem}.html"
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
        assert "ask the room" not in text.lower(), f"{page.name} shows an 'ask the room' speaker note"
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {})
            if "teacher" in meta.get("tags", []) or meta.get("slideshow", {}).get("slide_type") == "notes":
                words = re.findall(r"[A-Za-z]+", "".join(cell["source"]))
                snippet = " ".join(words[2:9])
                assert len(words) < 9 or snippet not in re.sub(r"[^A-Za-z]+", " ", text), \
                    f"{page.name} shows a speaker note ({snippet!r})"


@pytest.mark.parametrize("path", [p for p in notebook_paths()
                                  if (p.parents[1] / "data" / "quizzes" / f"{p.stem}.yaml").exists()],
                         ids=lambda p: p.stem)
def test_decks_show_one_quiz_question_per_slide(built_site, path):
    from widgets.data import load_quiz

    n = len(load_quiz(path.stem)["questions"])
    deck = (built_site / "slides" / f"{path.stem}.slides.html").read_text(encoding="utf-8")
    per_slide = [len(re.findall(r"Question \d+ of \d+", leaf)) for leaf in _leaf_sections(deck)]
    assert max(per_slide) == 1, "a deck slide carries more than one quiz question"
    assert sum(per_slide) == n, f"the deck shows {sum(per_slide)} of the quiz's {n} questions"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_deck_charts_are_drawn_for_projection_and_described_in_the_notes(built_site, path):
    """Charts in a deck use the presentation style (large text), and each chart's description
    (its alt text) is in the speaker notes rather than printed under it."""
    deck = (built_site / "slides" / f"{path.stem}.slides.html").read_text(encoding="utf-8")
    charts = re.findall(r"<figure[^>]*>\s*<img\b[^>]*>", deck)
    for img in charts:
        assert 'data-ib-style="presentation"' in img, f"{path.stem}: a deck chart drawn in the small notebook style"
        alt = re.search(r'alt="([^"]+)"', img).group(1)
        notes = re.findall(r'<aside class="notes">(.*?)</aside>', deck, flags=re.S)
        assert any("Chart description:" in n and alt[:40] in n for n in notes), \
            f"{path.stem}: the chart '{alt[:50]}...' has no description in the speaker notes"


def test_families_route_links_the_printable_summaries(built_site):
    """The families' page of the site links each one-page summary, and the pages are there, offline."""
    from widgets.families import CONDITIONS

    site = built_site / "html"
    families = (site / "for-families.html").read_text(encoding="utf-8")
    assert "notebooks/05-autoimmune-neutropenia.html" in families, "the route skips the neutropenia notebook"
    for key, condition in CONDITIONS.items():
        href = f"_static/summaries/{key}.html"
        assert href in families, f"the families' page does not link the summary for {condition['title']}"
        page = (site / href).read_text(encoding="utf-8")
        assert "fever" in page.lower() or key != "ain", "the neutropenia summary must carry the fever rule"
        assert not REMOTE.search(page), f"{href} loads something from outside"


def test_site_build_fails_on_a_cell_error_and_names_the_notebook(tmp_path):
    """A cell that raises must stop the site build (never a page with a traceback on it), and the
    message must say which notebook to fix. One tiny notebook keeps this cheap."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook with a planted error"),
                nbformat.v4.new_code_cell("print('this cell runs')"),
                nbformat.v4.new_code_cell("raise RuntimeError('planted by the test')")]
    nbformat.write(nb, notebooks / "01-planted-error.ipynb")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "html",
                           "--notebooks-dir", str(notebooks), "--build-dir", str(tmp_path / "build")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"the site build passed over a cell that raises:\n{output[-3000:]}"
    last = output.strip().splitlines()[-1]
    assert last.startswith("The site build failed") and "01-planted-error.ipynb" in last, \
        f"the failure does not name the notebook: {last!r}"
    assert "planted by the test" in output, "the cell's error is not shown"
    assert not (tmp_path / "build" / "html" / "notebooks" / "01-planted-error.html").exists(), \
        "a page was written for the failing notebook"


def test_a_map_drawn_in_parts_gets_a_slide_and_a_speaker_note_per_part(monkeypatch):
    """Issue 16: a whole-series map is too tall for one slide at 16 px text, so while projecting
    show_chart draws it in parts. The deck builder must give every part a sub-slide of its own under
    the slide's heading, with its own description in the speaker notes, and lose no part."""
    from widgets.charts import plot_treatment_map, show_chart
    from widgets.charts.style import PRESENT_ENV

    build_site = _build_site_module()

    monkeypatch.setenv(PRESENT_ENV, "1")
    chart = show_chart(plot_treatment_map)
    assert len(chart) >= 3
    slide = {"slideshow": {"slide_type": "slide"}}
    cont = {"slideshow": {"slide_type": None}}
    cell = nbformat.v4.new_code_cell("show_chart(plot_treatment_map)", metadata=dict(cont))
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1,
                                           data={"text/html": chart._repr_html_(), "text/plain": repr(chart)})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## The treatment map", metadata=slide),
                nbformat.v4.new_markdown_cell("**Predict.** Which class is used most?", metadata=dict(cont)),
                cell]
    nb = build_site.chart_descriptions_in_notes(
        build_site.charts_on_their_own_slides(build_site.chart_parts_as_cells(nb)))
    charts = [c for c in nb.cells if c.cell_type == "code"]
    assert len(charts) == len(chart), "a part of the map was lost or doubled"
    assert len({c.id for c in nb.cells}) == len(nb.cells), "cell ids must stay unique"
    for part, code in zip(chart, charts):
        i = nb.cells.index(code)
        heading, note = nb.cells[i - 1], nb.cells[i + 1]
        assert heading.source == "### The treatment map" and heading.metadata["slideshow"]["slide_type"] == "subslide"
        html = code.outputs[0]["data"]["text/html"]
        assert html.count("<figure") == 1 and part.alt_text[:60] in html
        assert note.metadata["slideshow"]["slide_type"] == "notes" and part.alt_text[:60] in note.source


def _build_site_module():
    return load_tool("build_site")


def test_a_long_table_is_shown_in_parts_each_on_its_own_slide():
    """Issue 16: a long table (the families' "when to get help" table) scrolled on its slide, so
    its last rows were out of sight when projected. The deck builder splits it: every part keeps
    the headings, every row appears once and in order, the line of sources stays under the last
    part, and each part gets a slide of its own under the slide's heading."""
    from widgets.display import show_table

    build_site = _build_site_module()
    table = show_table("urgent_signs")._repr_html_()
    rows = re.findall(r"<tr\b.*?</tr>", table.split("<tbody>")[1], flags=re.S)
    assert len(rows) >= 6 and sum(map(len, rows)) > build_site.TABLE_PART_CHARS
    slide = {"slideshow": {"slide_type": "slide"}}
    cont = {"slideshow": {"slide_type": None}}
    cell = nbformat.v4.new_code_cell("show_table('urgent_signs')", metadata=dict(cont))
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1,
                                           data={"text/html": table, "text/plain": "table"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## When to get help", metadata=slide),
                nbformat.v4.new_markdown_cell("Read the first column aloud.", metadata=dict(cont)), cell]
    nb = build_site.charts_on_their_own_slides(build_site.long_tables_in_parts(nb))
    parts = [c for c in nb.cells if c.cell_type == "code"]
    assert len(parts) >= 2, "a long table was not split"
    shown = []
    for i, part in enumerate(parts):
        html = part.outputs[0]["data"]["text/html"]
        assert "<thead>" in html and html.count("<table") == 1, "a part lost the table's headings"
        assert f"Part {i + 1} of {len(parts)}" in html
        assert ("Sources:" in html) == (i == len(parts) - 1), "the sources belong under the last part"
        shown += re.findall(r"<tr\b.*?</tr>", html.split("<tbody>")[1], flags=re.S)
        before = nb.cells[nb.cells.index(part) - 1]
        assert before.source == "### When to get help" and before.metadata["slideshow"]["slide_type"] == "subslide"
    assert shown == rows, "rows were lost, doubled or reordered"


def test_a_short_table_and_a_widget_get_their_own_slide_under_the_heading():
    """A table or a widget after a paragraph goes to a sub-slide of its own (under the same
    heading), so it does not push the words off the screen; a short table is not split."""
    from widgets.display import show_table

    build_site = _build_site_module()
    table = show_table("disorders", where={"disorder_id": ["cvid", "alps"]}, columns=["short_name"])._repr_html_()
    cont = {"slideshow": {"slide_type": None}}
    table_cell = nbformat.v4.new_code_cell("show_table(...)", metadata=dict(cont))
    table_cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table})]
    widget_cell = nbformat.v4.new_code_cell("CriteriaChecker('cvid')", metadata=dict(cont))
    widget_cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "CriteriaChecker"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Two ideas", metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_markdown_cell("Words first.", metadata=dict(cont)), table_cell,
                nbformat.v4.new_markdown_cell("More words.", metadata=dict(cont)), widget_cell]
    nb = build_site.charts_on_their_own_slides(build_site.long_tables_in_parts(nb))
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert len(codes) == 2, "the short table must not be split"
    for code in codes:
        before = nb.cells[nb.cells.index(code) - 1]
        assert before.source == "### Two ideas" and before.metadata["slideshow"]["slide_type"] == "subslide"
