"""A drawn matplotlib canvas as PNG bytes, for every chart the bot sends."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

# Charts are flat colours and lines: fast compression costs little size and saves CPU.
PNG_COMPRESSION = 1


def canvas_png(canvas: FigureCanvasAgg) -> bytes:
    """The pixels already drawn on the canvas, encoded as PNG."""
    # Encoding the pixels already drawn: savefig would draw the whole figure a second time.
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", compress_level=PNG_COMPRESSION)
    return out.getvalue()
