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


# -- labels never overlap one another and never hide data ---------------------

#: The texts that name horizontal reference lines (how each figure spells them).
REFERENCE_LABELS = ("diagnosis", "imaging limit", "lethal burden")


def _data_points(ax):
    """Every drawn data point of ``ax`` in display coordinates: the Line2D
    vertices (axhline/axvline left out), each segment sampled every half pixel."""
    out = []
    for line in ax.get_lines():
        if not line.get_visible() or line.get_transform() != ax.transData:
            continue
        xy = line.get_transform().transform(np.column_stack(
            [np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)]))
        good = np.isfinite(xy).all(axis=1)
        out.append(xy[good])
        if line.get_linestyle() in ("None", "none", "", " ") or len(xy) < 2:
            continue
        seg = good[:-1] & good[1:]
        a, b = xy[:-1][seg], xy[1:][seg]
        steps = np.ceil(np.abs(b - a).max(axis=1, initial=0) * 2).astype(int) + 1
        for k in range(1, int(steps.max(initial=1))):
            frac = np.minimum(k / steps, 1.0)[:, None]
            out.append(a + (b - a) * frac)
    return np.concatenate(out) if out else np.empty((0, 2))


def _hides_data(box, points) -> bool:
    inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
              & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
    return bool(inside.any())


def labels_clear(fig) -> int:
    """Assert that the line labels of each axes keep at least a point apart,
    and that no line label or reference-line label hides drawn data (or, a
    reference label, sits outside the axes); return how many labels were checked."""
    canvas, _ = _render(fig)
    renderer = canvas.get_renderer()
    apart = renderer.points_to_pixels(1.0)
    checked = 0
    for ax in fig.axes:
        points = _data_points(ax)
        stacked = [t for t in getattr(ax, "_clonesim_stacked_labels", []) if shown(t, renderer)]
        boxes = [t.get_window_extent(renderer) for t in stacked]
        for a in range(len(boxes)):
            for b in range(a + 1, len(boxes)):
                gap_x = max(boxes[b].x0 - boxes[a].x1, boxes[a].x0 - boxes[b].x1)
                gap_y = max(boxes[b].y0 - boxes[a].y1, boxes[a].y0 - boxes[b].y1)
                assert max(gap_x, gap_y) >= apart, (stacked[a].get_text(), stacked[b].get_text())
        for text, box in zip(stacked, boxes):
            assert not _hides_data(box, points), text.get_text()
            checked += 1
        inner = ax.get_window_extent(renderer)
        for text in ax.texts:
            if not text.get_text().startswith(REFERENCE_LABELS) or not shown(text, renderer):
                continue
            box = text.get_window_extent(renderer)
            outside = box.x0 >= inner.x1 or box.x1 <= inner.x0
            assert outside or not _hides_data(box, points), text.get_text()
            checked += 1
    return checked


def test_labels_clear_in_a_small_notebook_panel():
    """plot_burden drawn into small axes (a 2-panel notebook figure with fixed
    margins and no layout engine, as notebook 07 draws it, and a one-panel
    figure of 5.5 x 3.2 inches): line labels and reference-line labels still
    keep off the curves, and both shared-y panels end with the same limits."""
    from matplotlib.figure import Figure

    cfg = gallery.load_scenario("receptor_switch")
    result = clonesim.simulate(cfg, seed=4)
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2, sharey=True, gridspec_kw=dict(left=0.07, right=0.8, bottom=0.13,
                                                            top=0.92, wspace=0.05))
    for ax in axes:
        plots.plot_burden(result, ax=ax, mark=False)
    assert labels_clear(fig) >= 8
    assert axes[0].get_ylim() == axes[1].get_ylim()
    small = Figure(figsize=(5.5, 3.2), layout="constrained")
    plots.plot_burden(result, ax=small.add_subplot())
    assert labels_clear(small) >= 4


def test_reference_labels_carry_no_opaque_box():
    """A label must never hide data: no white box behind it either."""
    cfg = gallery.load_scenario("classic_98_2")
    fig = plots.plot_burden(clonesim.simulate(cfg, seed=3))
    named = [t for t in fig.axes[0].texts if t.get_text().startswith(REFERENCE_LABELS)]
    assert len(named) == 3
    assert all(t.get_bbox_patch() is None for t in named)


@pytest.mark.parametrize("scenario, seed", [("receptor_switch", 4), ("classic_98_2", 3)])
def test_muller_has_no_seam_where_one_clone_is_the_whole_tumour(scenario, seed):
    """Where one clone (of the first state: a flat fill, no hatch) is at
    least 99.99% of the tumour, the composition panel is one flat colour
    from 3% to 97%: the others (a few cells, far under a pixel) must not
    show as a line at 50%, as an edge stroke on their empty or near-empty
    bands drew it."""
    result = clonesim.simulate(gallery.load_scenario(scenario), seed=seed)
    fig = plots.plot_muller(result, mark=False)
    ax = fig.axes[1]
    _, img = _render(fig)
    data = plots.muller_fractions(result)
    # away from the vertical lines (detection, each line's start) and the spines
    marks = np.array([result.detection_time] + [line.start for line in result.lines])
    flat = np.array([result.cell_types.phenotype_class(int(t)) == 0 for t in data.type_ids])
    top = data.fractions.argmax(axis=1)  # the whole tumour, in a flat (unhatched) fill
    whole = (data.fractions.max(axis=1) >= 1 - 1e-4) & flat[top]
    whole[1:-1] &= whole[:-2] & whole[2:]  # and at the samples either side
    alone = [i for i in np.flatnonzero(whole)
             if np.abs(np.append(marks, data.times[[0, -1]]) - data.times[i]).min() > 5]
    assert len(alone) > 10
    h = img.shape[0]
    _, y_lo = ax.transData.transform((0, 0.03))
    _, y_hi = ax.transData.transform((0, 0.97))
    for i in alone[::max(len(alone) // 40, 1)]:
        x, _ = ax.transData.transform((data.times[i], 0))
        column = img[int(h - y_hi):int(h - y_lo), int(x)]
        assert np.abs(column - column[0]).max() < 3, data.times[i]


def test_arms_legend_leaves_the_curves_at_one_visible():
    """Notebook 05's line-2 comparison (receptor_switch, seed 1): every curve
    starts at survival 1.0, at the top of the panel, where a legend inside
    would cover them; the legends sit below the panels."""
    from clonesim.config import arm_config

    cfg = gallery.load_scenario("receptor_switch")
    arms = {arm: clonesim.simulate_cohort(arm_config(cfg, arm), 20, seed=1)
            for arm in cfg.cohort.arms}
    fig = clonesim.plot_arms(arms, line=2)
    assert legends_outside_data(fig) == 2
