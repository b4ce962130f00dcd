"""A figure written to png, svg or pdf with its provenance (package version,
config hash, seed) in the file's metadata.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from ..provenance import TEACHING_NOTE, provenance


def save_figure(fig: Figure, path: str | Path, result_or_config=None, seed=None,
                dpi: int = 150) -> Path:
    """Save a figure with provenance (version, config hash, seed) in its metadata.

    PNG gets text chunks, PDF the Keywords/Subject fields, SVG a ``<metadata>``
    description; in each the same ``key=value`` pairs.
    """
    path = Path(path)
    meta = {}
    if result_or_config is not None:
        cfg = getattr(result_or_config, "config", result_or_config)
        s = getattr(result_or_config, "seed", seed)
        meta = provenance(cfg, s)
    text = "; ".join(f"{k}={v}" for k, v in meta.items()) or TEACHING_NOTE
    fmt = path.suffix.lstrip(".").lower()
    if fmt == "png":
        md = {"Software": "clonesim", "Description": text}
        md.update({k: v for k, v in meta.items()})
    elif fmt == "pdf":
        md = {"Creator": "clonesim", "Subject": TEACHING_NOTE, "Keywords": text}
    elif fmt == "svg":
        md = {"Creator": "clonesim", "Description": text}
    else:
        raise ValueError(f"unsupported figure format {fmt!r}: use png, svg or pdf")
    fig.savefig(path, dpi=dpi, metadata=md)
    return path
