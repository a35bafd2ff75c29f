"""Offline decks and static site, checked as files: every notebook gives a deck and a page that load nothing from outside."""
import re

import pytest

from conftest import notebook_paths

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


@pytest.mark.parametrize("kind", ["slides", "html"])
def test_pages_reference_no_remote_script_style_or_font(built_site, kind):
    folder = built_site / kind
    pages = sorted(folder.glob("*.html"))
    assert pages, f"nothing built in {folder}"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text, re.I):
            assert not REMOTE.search(tag), f"{page.name} loads from outside: {tag[:200]}"
        assert not REMOTE_CSS.search(text), f"{page.name} imports a remote style or font"
    for css in (folder / "vendor").rglob("*.css"):
        assert not REMOTE_CSS.search(css.read_text(encoding="utf-8", errors="ignore")), f"{css} loads a remote font"


def test_site_has_index_navigation_and_glossary(built_site):
    site = built_site / "html"
    index = (site / "index.html").read_text(encoding="utf-8")
    for path in notebook_paths():
        assert f"{path.stem}.html" in index
        page = (site / f"{path.stem}.html").read_text(encoding="utf-8")
        assert 'href="index.html"' in page and 'href="glossary.html"' in page
    glossary = (site / "glossary.html").read_text(encoding="utf-8")
    assert glossary.count("<dt") >= 80


def test_hidden_test_cells_are_not_in_the_site(built_site):
    for page in (built_site / "html").glob("0*.html"):
        assert "_app" not in page.read_text(encoding="utf-8"), f"{page.name} shows a hidden test cell"
