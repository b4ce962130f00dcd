"""What the figures encode: phenotype state and site are visible wherever
cell types are drawn (colours and dashes differ, the Muller plot's hatching
shows in pixels), therapy-line labels never overlap, and legends sit outside
the data. Teaching model, not for clinical use."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

import clonesim
from clonesim import gallery, plots
from clonesim.celltypes import CellTypes
from clonesim.plots.labels import shown


def test_type_style_tells_states_and_sites_apart():
    ct = CellTypes(("H1", "H2"), ("ER+", "ER-"), ("breast", "liver", "bone"))
    styles = {(g, st, si): plots.type_style(ct.encode(g, st, si), ct)
              for g in range(4) for st in range(2) for si in range(3)}
    # the same genotype: a paler shade for ER-, a dash per site
    for g in range(4):
        for si in range(3):
            assert styles[g, 0, si]["color"] != styles[g, 1, si]["color"]
            assert sum(to_rgb(styles[g, 1, si]["color"])) > sum(to_rgb(styles[g, 0, si]["color"]))
        dashes = {str(styles[g, 0, si]["linestyle"]) for si in range(3)}
        assert len(dashes) == 3
    # no two types look the same
    looks = {(s["color"], str(s["linestyle"])) for s in styles.values()}
    assert len(looks) == len(styles)
    # one site: the state gets the dash, so "sensitive, ER+" and "sensitive, ER-"
    # differ in two ways
    one = CellTypes(("I",), ("antigen+", "antigen-"))
    a, b = (plots.type_style(one.encode(0, s), one) for s in (0, 1))
    assert a["color"] != b["color"] and a["linestyle"] != b["linestyle"]
    # a scenario with neither keeps the genotype's look
    plain = CellTypes(("A", "B"))
    assert plots.type_style(0, plain) == {"color": "#0072B2", "linestyle": "-"}


def _render(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas, np.asarray(canvas.buffer_rgba())[..., :3].astype(float)


def test_muller_er_minus_is_hatched_and_differs_in_pixels():
    """receptor_switch, seed 4: sample a patch inside the ER+ band and one
    inside the ER- band where each holds at least a fifth of the tumour; the
    ER- patch must differ in mean colour and carry a visible hatch (its
    pixels vary), while the ER+ patch is a flat fill."""
    cfg = gallery.load_scenario("receptor_switch")
    result = clonesim.simulate(cfg, seed=4)
    fig = plots.plot_muller(result, mark=False)
    ax = fig.axes[1]
    canvas, img = _render(fig)
    h = img.shape[0]
    data = plots.muller_fractions(result)
    ct = result.cell_types
    er_pos, er_neg = ct.encode(0, 0), ct.encode(0, 1)
    col = {int(t): j for j, t in enumerate(data.type_ids)}
    both = np.flatnonzero((data.fractions[:, col[er_pos]] > 0.2)
                          & (data.fractions[:, col[er_neg]] > 0.2))
    assert both.size, "no time where both states are a fifth of the tumour"
    # away from the vertical lines drawn at detection and at each line's start
    marks = np.array([result.detection_time] + [line.start for line in result.lines])
    i = both[np.argmax([np.abs(marks - data.times[k]).min() for k in both])]
    stack = data.stacked()[i]
    bands = {}
    base = 0.0
    for (j, _), height in zip(data.layers, stack):
        t = int(data.type_ids[j])
        if t in (er_pos, er_neg) and height > bands.get(t, (0, 0))[1]:
            bands[t] = (base + height / 2, height)
        base += height
    patches = {}
    for t, (mid, _) in bands.items():
        x, y = ax.transData.transform((data.times[i], mid))
        r, c = int(h - y), int(x)
        patches[t] = img[r - 5:r + 6, c - 1:c + 2].reshape(-1, 3)  # narrow: bands slope
    pos, neg = patches[er_pos], patches[er_neg]
    assert np.abs(pos.mean(axis=0) - neg.mean(axis=0)).sum() > 60  # of 3 x 255
    assert pos.std(axis=0).max() < 2  # flat fill
    assert neg.std(axis=0).max() > 15  # the hatch shows


def _label_boxes(fig, renderer):
    for ax in fig.axes:
        texts = getattr(ax, "_clonesim_stacked_labels", [])
        yield ax, [t.get_window_extent(renderer) for t in texts if shown(t, renderer)]


def test_short_lines_labels_do_not_overlap():
    """Lines of a few weeks each (the receptor_switch patient's H2 lasts 28
    days): side by side their labels would run together ("line 1line 2")."""
    cfg = gallery.load_scenario("receptor_switch")
    result = clonesim.simulate(cfg, seed=4)
    assert min(line.end - line.start for line in result.lines) < 60
    for fig in (plots.plot_burden(result), plots.plot_muller(result),
                gallery.apply_style(plots.plot_burden(result), "lecture")):
        canvas, _ = _render(fig)
        renderer = canvas.get_renderer()
        checked = 0
        for _, boxes in _label_boxes(fig, renderer):
            for a in range(len(boxes)):
                for b in range(a + 1, len(boxes)):
                    assert not boxes[a].overlaps(boxes[b])
                    checked += 1
        assert checked


def legends_outside_data(fig) -> int:
    """Assert that no legend overlaps the inside of any axes or the teaching
    mark; return how many legends were checked."""
    from clonesim.provenance import TEACHING_NOTE

    canvas, _ = _render(fig)
    renderer = canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    marks = [t.get_window_extent(renderer) for t in fig.texts if t.get_text() == TEACHING_NOTE]
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for inner in [ax.get_window_extent(renderer) for ax in fig.axes] + marks:
            overlap_w = min(box.x1, inner.x1) - max(box.x0, inner.x0)
            overlap_h = min(box.y1, inner.y1) - max(box.y0, inner.y0)
            assert overlap_w <= 1 or overlap_h <= 1, (legend, inner)
    return len(legends)


@pytest.mark.parametrize("m_target", [1.0, 4.0])
def test_fluctuation_legend_leaves_the_poisson_peak_visible(m_target):
    """At m >= 3 the Poisson peak sits in the upper middle, where an inside
    legend would hide it (notebook 02)."""
    u = m_target / (gallery.LD_FINAL - gallery.LD_N0)
    resistant, m, _ = gallery.fluctuation_data(n=200, seed=2, u=u)
    assert legends_outside_data(plots.plot_fluctuation(resistant, m)) == 1


def test_immunotherapy_states_differ_in_the_burden_plot():
    cfg = gallery.load_scenario("immunotherapy")
    result = clonesim.simulate(cfg, seed=1)
    fig = plots.plot_burden(result)
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    plus, minus = lines["sensitive, antigen+"], lines["sensitive, antigen-"]
    assert plus.get_color() != minus.get_color()
    assert plus.get_linestyle() != minus.get_linestyle()
