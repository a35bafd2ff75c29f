"""Projected charts (decks are built with IMMUNE_BALANCE_PRESENT=1: larger text) keep their plot
area and their words inside the picture. A long caption once squeezed the lab explorer's axes to a
sliver and pushed its title off the top of the figure."""
import pytest

from widgets import IgTherapySimulator, ImmunoglobulinLabExplorer, NeutrophilCalculator, ScenarioExplorer
from widgets.charts.style import PRESENT_ENV

APPS = {
    "ScenarioExplorer": lambda: ScenarioExplorer("balanced"),
    "ImmunoglobulinLabExplorer": ImmunoglobulinLabExplorer,
    "NeutrophilCalculator": NeutrophilCalculator,
    "IgTherapySimulator": IgTherapySimulator,
    "IgTherapySimulator(compare=True)": lambda: IgTherapySimulator(compare=True),
}


@pytest.mark.parametrize("name", APPS)
def test_projected_app_chart_keeps_its_plot_area_and_text_inside_the_figure(name, monkeypatch):
    monkeypatch.setenv(PRESENT_ENV, "1")
    fig = APPS[name]().figure
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    box = fig.bbox
    widest = max(ax.get_position().width for ax in fig.axes if ax.get_visible())
    assert widest >= 0.4, f"{name}: the widest plot area is {widest:.0%} of the figure when projected"
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for text in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]:
            if not text.get_visible() or not text.get_text().strip():
                continue
            ext = text.get_window_extent(renderer)
            assert ext.x0 >= box.x0 - 2 and ext.x1 <= box.x1 + 2 and ext.y0 >= box.y0 - 2 and ext.y1 <= box.y1 + 2, \
                f"{name}: {text.get_text()[:50]!r} runs off the projected figure"


@pytest.mark.parametrize("scenario", ["underactive", "balanced", "overactive"])
def test_projected_seesaw_labels_do_not_run_into_each_other(scenario, monkeypatch):
    monkeypatch.setenv(PRESENT_ENV, "1")
    fig = ScenarioExplorer(scenario).figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    seesaw = fig.axes[-1]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in seesaw.texts
             if t.get_visible() and t.get_text().strip()]
    assert len(boxes) >= 3
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not box_a.overlaps(box_b), f"{scenario}: {a!r} runs into {b!r} when projected"
