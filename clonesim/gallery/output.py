"""A gallery figure written to a file with its provenance: a still image
(png, svg, pdf) or an animation of its time axis (gif with pillow, mp4 with
ffmpeg).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from .. import plots
from ..provenance import TEACHING_NOTE, provenance


def _metadata_text(fig: Figure) -> str:
    info = getattr(fig, "clonesim", None)
    if not info:
        return TEACHING_NOTE
    meta = {"figure": info["name"], **provenance(info["config"], info["seed"])}
    return "; ".join(f"{k}={v}" for k, v in meta.items())


def save(fig: Figure, path, dpi: int = 150) -> Path:
    """Save a gallery figure (png, svg or pdf) with its provenance in the
    file's metadata (:func:`clonesim.plots.save_figure`).

    Parameters
    ----------
    fig
        A figure from :func:`figure`.
    path
        File name; the suffix chooses the format.
    dpi
        Resolution of raster output.

    Returns
    -------
    pathlib.Path
    """
    info = getattr(fig, "clonesim", None) or {}
    return plots.save_figure(fig, path, info.get("config"), info.get("seed"), dpi=dpi)


MP4_HELP = ("MP4 animations need ffmpeg, and none was found: neither the imageio-ffmpeg "
            "package, which ships an ffmpeg binary (pip install \"clonesim[video]\"), nor an "
            "ffmpeg program on the PATH. GIF animations (--format gif, or a .gif file name) "
            "need no ffmpeg.")


def ffmpeg_path() -> str:
    """The ffmpeg program that MP4 animations use.

    imageio-ffmpeg's own binary when that package is installed (``pip install
    "clonesim[video]"``; it also honours ``IMAGEIO_FFMPEG_EXE`` and falls
    back to a system ffmpeg), otherwise an ``ffmpeg`` on the PATH: so a pip
    install is all a student's laptop or a hosted Jupyter needs.

    Returns
    -------
    str
        The program's path.

    Raises
    ------
    RuntimeError
        If neither is found (:data:`MP4_HELP` says what to do).
    """
    import shutil

    try:
        import imageio_ffmpeg
    except ImportError:
        found = shutil.which("ffmpeg")
    else:
        try:
            found = imageio_ffmpeg.get_ffmpeg_exe()
        except RuntimeError:  # no binary for this platform and none on the system
            found = None
    if not found:
        raise RuntimeError(MP4_HELP)
    return found


class _PillowWithComment:
    """Factory for a PillowWriter that stores the provenance as the GIF comment."""

    @staticmethod
    def make(fps: int, comment: str):
        from matplotlib.animation import PillowWriter

        class Writer(PillowWriter):
            def finish(self):
                self._frames[0].save(self.outfile, save_all=True,
                                     append_images=self._frames[1:],
                                     duration=int(1000 / self.fps), loop=0,
                                     comment=comment.encode("utf-8"))

        return Writer(fps=fps)


def animate(fig: Figure, path, *, frames: int = 40, fps: int = 8, dpi: int = 72) -> Path:
    """Save an animation of a figure with a time axis in days unfolding from
    left to right (GIF with pillow; MP4 with ffmpeg, see :func:`ffmpeg_path`).

    Each frame hides what lies to the right of "now" and draws a cursor with
    the day, so the burden and the clone composition appear as they happen.

    Parameters
    ----------
    fig
        A figure whose axes share a time axis in days (``recurrence``,
        ``muller``, ``sites``, ``survival``, ``arms``).
    path
        ``.gif`` or ``.mp4``.
    frames, fps, dpi
        Frames, frames per second, resolution.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    RuntimeError
        For ``.mp4`` when no ffmpeg is found (:func:`ffmpeg_path`).
    """
    import matplotlib as mpl
    from matplotlib.patches import Rectangle

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    comment = _metadata_text(fig)
    rc = {}
    if fmt == "gif":
        writer = _PillowWithComment.make(fps, comment)
    elif fmt == "mp4":
        from matplotlib.animation import FFMpegWriter

        rc["animation.ffmpeg_path"] = ffmpeg_path()
        writer = FFMpegWriter(fps=fps, metadata={"comment": comment})
    else:
        raise ValueError(f"animation format must be gif or mp4, not {fmt!r}")
    axes = [ax for ax in fig.axes if "days" in ax.get_xlabel() or ax.get_shared_x_axes()
            .get_siblings(ax) != [ax]]
    axes = [ax for ax in axes if ax.get_label() != "<colorbar>"]
    if not axes:
        raise ValueError("this figure has no time axis in days to unfold")
    # Lay the figure out once: the frames differ only inside the axes, and a
    # layout pass per frame would triple the time to write the animation.
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    lo = min(ax.get_xlim()[0] for ax in axes)
    hi = max(ax.get_xlim()[1] for ax in axes)
    covers, cursors = [], []
    for ax in axes:
        x0, x1 = ax.get_xlim()
        rect = Rectangle((x0, 0), x1 - x0, 1, transform=ax.get_xaxis_transform(),
                         facecolor=ax.get_facecolor(), edgecolor="none", zorder=4.5)
        ax.add_patch(rect)
        covers.append((ax, rect))
        cursors.append(ax.axvline(x0, color="0.2", lw=1.5, zorder=4.6))
    # bottom right: the teaching mark sits bottom left
    clock = fig.text(0.99, 0.01, "", ha="right", va="bottom",
                     fontsize=10 * (fig.get_size_inches()[0] / 9) ** 0.5, color="0.2")
    with mpl.rc_context(rc), writer.saving(fig, str(path), dpi):
        for now in np.linspace(lo, hi, frames):
            for ax, rect in covers:
                x1 = ax.get_xlim()[1]
                rect.set_x(now)
                rect.set_width(max(x1 - now, 0))
            for cursor in cursors:
                cursor.set_xdata([now, now])
            clock.set_text(f"day {now:.0f}")
            writer.grab_frame()
    return path
