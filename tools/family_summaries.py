"""Write the printable one-page summaries for families to build/summaries/.

    python tools/family_summaries.py                 # every condition
    python tools/family_summaries.py cvid            # one condition
    python tools/family_summaries.py --out some/dir  # another folder

One self-contained HTML page per condition (autoimmune neutropenia, CVID, immunoglobulin
replacement), drawn from the families' data tables by ``widgets.families.summary_html``,
with print CSS so that *Print -> Save as PDF* gives one A4 or Letter page; plus an
``index.html`` linking them. Offline: no scripts and no outside resources.
tests/test_families.py prints each page in headless Chromium and checks it fits one page.
"""
from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "build" / "summaries"


def build(out_dir: Path = DEFAULT_OUT, conditions=None) -> list[Path]:
    """Write one page per condition and an index; return the pages written."""
    from widgets.families import CONDITIONS, summary_html

    names = list(conditions) if conditions else list(CONDITIONS)
    unknown = [n for n in names if n not in CONDITIONS]
    if unknown:
        raise ValueError(f"unknown condition(s) {', '.join(unknown)}; choose from {', '.join(CONDITIONS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = out_dir / f"{name}.html"
        path.write_text(summary_html(name), encoding="utf-8")
        written.append(path)
    links = "".join(f'<li><a href="{html.escape(n)}.html">{html.escape(CONDITIONS[n]["title"])}</a></li>'
                    for n in CONDITIONS if (out_dir / f"{n}.html").exists())
    (out_dir / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>One-page summaries for families"
        "</title></head><body><main><h1>One-page summaries for families</h1><p>Open a page and use your "
        "browser's <em>Print</em> (or <em>Save as PDF</em>) to take it to an appointment. For learning, "
        f"not medical advice.</p><ul>{links}</ul></main></body></html>\n", encoding="utf-8")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conditions", nargs="*", help="ain, cvid, ig_replacement (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/summaries)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.conditions)
    except Exception as exc:  # a friendly line, never a traceback
        print(f"Could not build the summaries: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
