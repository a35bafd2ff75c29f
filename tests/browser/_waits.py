"""Waits for states, shared by the browser tests: never a fixed pause.

Each helper waits for something a learner would see (the deck ready, widgets drawn from their
embedded state, a slide change, images loaded, the layout settled) and, when it gives up, fails
with a message that names what it waited for.
"""
from __future__ import annotations

import time

# the slide on screen: reveal.js marks a vertical stack and its shown child both "present"
PRESENT = ".reveal .slides section.present:not(.stack)"

# every embedded widget view has been drawn: html-manager puts a filled .widget-subarea before
# each view's <script> tag once the view is rendered
WIDGETS_RENDERED = """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .every(s => { const d = s.previousElementSibling;
                  return d && d.classList.contains('widget-subarea') && d.childElementCount > 0; })"""

# every image inside `sel` has finished loading
IMAGES_LOADED = """(sel) => [...document.querySelectorAll(sel + ' img')]
    .every(i => i.complete && i.naturalWidth > 0)"""

# where the deck is: the slide (reveal.js keeps it in the address) and its fragments shown
DECK_POSITION = """() => { const s = document.querySelector('""" + PRESENT + """');
    return location.hash + '|' + (s ? s.querySelectorAll('.fragment.visible').length : -1); }"""

# reveal.js enables its right or down control while a next slide or fragment exists
DECK_HAS_NEXT = """() => document.querySelectorAll(
    '.reveal .controls .navigate-right.enabled, .reveal .controls .navigate-down.enabled').length > 0"""


def wait_for(page, script, what, arg=None, timeout_ms=20000):
    """Wait until `script` (a JavaScript function) returns a truthy value; fail naming `what`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(script, arg=arg, timeout=timeout_ms)
    except PlaywrightTimeout:
        raise AssertionError(f"gave up after {timeout_ms / 1000:g} s waiting for {what}") from None


def wait_widgets_rendered(page, what="the widgets to render from the page's embedded state"):
    wait_for(page, WIDGETS_RENDERED, what)


def wait_images_loaded(page, selector, what):
    wait_for(page, IMAGES_LOADED, what, arg=selector)


def wait_deck_ready(page, what="the deck"):
    """reveal.js ready, its widgets drawn, the web fonts and the first slide's images loaded."""
    wait_for(page, "() => document.querySelector('.reveal.ready') !== null", f"{what}: reveal.js to be ready")
    wait_widgets_rendered(page, f"{what}: the widgets to render from the deck's embedded state")
    wait_for(page, "() => document.fonts.status === 'loaded'", f"{what}: the web fonts to load")
    wait_images_loaded(page, PRESENT, f"{what}: the images on the first slide to load")


def deck_position(page):
    return page.evaluate(DECK_POSITION)


def deck_next(page, key="n"):
    """Press `key` and wait until the deck shows the next slide or fragment, with its images
    loaded. Return False, without pressing, when the deck is already at its end."""
    if not page.evaluate(DECK_HAS_NEXT):
        return False
    before = deck_position(page)
    page.keyboard.press(key)
    wait_for(page, "(old) => (" + DECK_POSITION + ")() !== old",
             f"the deck to move on from {before!r} after pressing {key!r}", arg=before)
    wait_images_loaded(page, PRESENT, "the images on the new slide to load")
    return True


def wait_layout_stable(page, locator, what, timeout_s=10.0):
    """Wait until `locator`'s box stays the same across two animation frames (a reflow finished)."""
    deadline = time.time() + timeout_s
    last = None
    while time.time() < deadline:
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        box = locator.bounding_box()
        if box is not None and box == last:
            return box
        last = box
    raise AssertionError(f"gave up after {timeout_s:g} s waiting for {what}: the box kept moving ({last})")
