"""Close apps that were built only to be checked, so the kernel can free their memory.

A notebook's hidden test cells build apps, drive them and assert what they show; nobody
sees those apps.  Deleting the names is not enough: ipywidgets keeps every open widget
in its registry until it is closed, and the controls' observers point back at their
app, so an app's figure (2-3 MiB with its picture) stays alive while any of its widgets
is open.  ``close_apps`` closes an app and every widget inside it.
"""
from __future__ import annotations

import ipywidgets as ipw

__all__ = ["close_apps"]


def close_apps(*apps) -> int:
    """Close each app and every widget inside it (children, and their layout and style).

    Returns the number of widgets closed.  A closed app no longer responds, so use this
    only on apps no learner sees (hidden test cells); then ``del`` the names that still
    point at them.  Values that are not widgets are ignored.
    """
    closed = 0
    seen = set()
    stack = list(apps)
    while stack:
        widget = stack.pop()
        if not isinstance(widget, ipw.Widget) or id(widget) in seen:
            continue
        seen.add(id(widget))
        stack.extend(getattr(widget, "children", None) or ())
        for part in ("layout", "style"):
            stack.append(getattr(widget, part, None))
        if widget.comm is not None:
            widget.close()
            closed += 1
    return closed
