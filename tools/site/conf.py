"""Sphinx configuration of the Immune Balance site (built by `python tools/build_site.py html`).

tools/build_site.py prepares the source folder (build/site-src/: the notebooks with their test
cells marked, the index, the families' route, the glossary and the references) and copies this
file there. Everything the pages load is local: the site works from file:// with no network.
"""
import os

# The apps render their kernel-free form (pre-rendered views, jslinked toggles) while the site
# notebooks execute; the kernels inherit this environment.
os.environ["IMMUNE_BALANCE_RENDER"] = "static"
os.environ.setdefault("MPLBACKEND", "Agg")

project = "Immune Balance"
author = "the Immune Balance contributors"
copyright = "Immune Balance contributors; content under CC BY 4.0, code under MIT"
language = "en"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = ["myst.header"]  # notebooks may start a slide with a level-3 heading

# Execute every notebook, cached by jupyter-cache (a rebuild re-runs only what changed);
# a cell error fails the build, like any warning under -W.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("IB_SITE_CACHE", "../site-cache")
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# Widget state is embedded in the pages and rendered by local copies of the widget scripts
# (myst-nb's default loads them from public CDNs).
nb_ipywidgets_js = {
    "vendor/require.js": {},
    "vendor/html-manager/embed-amd.js": {},
}

html_theme = "sphinx_book_theme"
html_title = "Immune Balance"
html_static_path = ["_static"]
html_css_files = ["immune-balance-site.css"]
html_show_sourcelink = False
html_copy_source = False
html_show_search_summary = False  # the summaries are fetched, which browsers refuse from file://
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}
