"""One shared figure style: single-column size, colour-blind-safe colours, saving with
provenance.

Sizes follow a single journal column (85 mm wide); fonts are 7 pt so that text stays
readable at that width. Colours are the Okabe & Ito (2008) palette, distinguishable with
the common colour-vision deficiencies; ordered maps use ``cividis`` (Nuñez et al. 2018).
Figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot state, no display),
rendered by the Agg (PNG) and PDF (vector) backends.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

#: Okabe & Ito (2008) colour-blind-safe palette (black first dropped for lines).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
             "#000000")
#: One colour per population, fixed across figures.
POPULATION_COLOURS = {"E": "#0072B2", "PV": "#D55E00", "SST": "#009E73", "PVN": "#CC79A7"}
#: Phase shading (light, with the label used in legends).
PHASE_COLOURS = {"pregnancy": "#BBBBBB", "treatment": "#56B4E9", "stress": "#E69F00"}
SEQUENTIAL_CMAP = "cividis"

MM = 1 / 25.4
COLUMN_WIDTH_IN = 85 * MM
DOUBLE_WIDTH_IN = 174 * MM

RC = {
    "font.size": 7, "axes.titlesize": 7, "axes.labelsize": 7, "xtick.labelsize": 6,
    "ytick.labelsize": 6, "legend.fontsize": 6, "legend.frameon": False,
    "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
    "lines.linewidth": 1.0, "lines.markersize": 3, "xtick.major.width": 0.6,
    "ytick.major.width": 0.6, "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "figure.dpi": 150, "savefig.dpi": 300, "pdf.fonttype": 42, "ps.fonttype": 42,
    "image.cmap": SEQUENTIAL_CMAP, "axes.titlelocation": "left",
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply the allonet style inside the block (restores rcParams afterwards)."""
    with mpl.rc_context(RC):
        yield


def new_figure(height_mm: float, width_in: float = COLUMN_WIDTH_IN) -> Figure:
    """A single-column figure (85 mm wide) with constrained layout (no overlapping text)."""
    return Figure(figsize=(width_in, height_mm * MM), layout="constrained")


def population_colour(pop: str, k: int = 0) -> str:
    return POPULATION_COLOURS.get(pop, OKABE_ITO[k % len(OKABE_ITO)])


def fit_label(text: str, width: int = 32) -> str:
    """A long label broken into lines of at most ``width`` characters (colour bars and
    narrow panels: 85 mm leaves room for ~32 characters of 7-pt text along a side)."""
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def mark_incomplete(fig: Figure) -> None:
    """A visible mark on a figure drawn from an incomplete result."""
    fig.text(0.5, 0.5, "INCOMPLETE", ha="center", va="center", rotation=30, fontsize=22,
             color="#D55E00", alpha=0.35, fontweight="bold", zorder=10, gid=WATERMARK)


def text_outside_canvas(fig: Figure, tolerance_px: float = 1.0) -> list[str]:
    """Texts (labels, drawn tick labels, titles, legends, colour-bar labels) that reach
    outside the figure when drawn. Empty for a figure whose every text is readable in the
    saved file.
    """
    texts, renderer = _drawn_texts(fig)
    box = fig.bbox
    out = []
    for t in texts:
        e = t.get_window_extent(renderer)
        if (e.x0 < box.x0 - tolerance_px or e.y0 < box.y0 - tolerance_px
                or e.x1 > box.x1 + tolerance_px or e.y1 > box.y1 + tolerance_px):
            out.append(t.get_text())
    return out


def _drawn_texts(fig: Figure) -> tuple[list[Any], Any]:
    """Every text that a draw of ``fig`` shows (labels, drawn tick labels, titles,
    legends, annotations), and the renderer."""
    from matplotlib.axis import Axis
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(RC["savefig.dpi"])  # the layout of the saved file, not of the screen
    with style():
        canvas.draw()
    renderer = canvas.get_renderer()
    axes_objects = [a for ax in fig.axes for a in (ax.xaxis, ax.yaxis)]
    every_tick_label = {id(t) for axis in axes_objects for tick in
                        axis.get_major_ticks() + axis.get_minor_ticks()
                        for t in (tick.label1, tick.label2)}
    drawn_tick_labels = [t for axis in axes_objects if axis.get_visible()
                         for tick in Axis._update_ticks(axis) for t in (tick.label1, tick.label2)
                         if t.get_visible()]
    texts = [t for t in fig.findobj(Text) if id(t) not in every_tick_label] + drawn_tick_labels
    return [t for t in texts if t.get_visible() and t.get_text().strip()
            and t.get_gid() != WATERMARK], renderer


#: ``gid`` of texts drawn over the data on purpose (the INCOMPLETE mark): not checked.
WATERMARK = "allonet-watermark"


def overlapping_texts(fig: Figure, tolerance_px: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap (by more than ``tolerance_px`` in both
    directions): labels printed over each other. Empty for a readable figure."""
    texts, renderer = _drawn_texts(fig)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    out = []
    for i, (a, ea) in enumerate(boxes):
        for b, eb in boxes[i + 1:]:
            dx = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
            dy = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
            if dx > tolerance_px and dy > tolerance_px:
                out.append((a, b))
    return out


def save(fig: Figure, stem: str | Path, formats: Sequence[str],
         provenance: Mapping[str, str], caption: str) -> list[Path]:
    """Write ``stem.<fmt>`` for each format with the caption and provenance embedded.

    PNG: text chunks ``Title``, ``Description`` (the caption) and ``allonet:<key>``.
    PDF: ``Title``, ``Subject`` (the caption) and ``Keywords`` (``key=value; ...``).
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        if fmt == "png":
            meta = {"Title": stem.name, "Description": caption, "Software": "allonet"}
            meta |= {f"allonet:{k}": str(v) for k, v in provenance.items()}
        elif fmt == "pdf":
            meta = {"Title": stem.name, "Subject": caption, "Creator": "allonet",
                    "Keywords": "; ".join(f"{k}={v}" for k, v in provenance.items())}
        else:
            meta = {}
        with style():
            fig.savefig(path, format=fmt, metadata=meta or None)
        out.append(path)
    return out
