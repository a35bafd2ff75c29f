"""Helpers shared by the app tests (not a test module)."""
import gc

from matplotlib.figure import Figure


def live_figures():
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Figure))


def status_text(app):
    return app.status.value
