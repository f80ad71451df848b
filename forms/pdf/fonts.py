"""The CJK fonts every PDF uses, found up front so a missing font is a clear error.

Printing with whatever fonts the host happens to have gives PDFs full of empty boxes when no
Chinese font is installed; instead we look for known files and refuse to render without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Where the distribution's packages put the fonts we use, regular and bold.
SEARCH_PATHS = {
    "regular": (
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    ),
    "bold": (
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # no bold face: bold renders regular
    ),
}
INSTALL_HINT = ("install one with `apt-get install fonts-noto-cjk` (./bootstrap.sh does), "
                "or name font files in instance/config.toml as pdf_font_regular / pdf_font_bold")


class PdfSetupError(RuntimeError):
    """The instance cannot print (fonts, logo): the message says what to fix. Answered as 503."""


class MissingFontError(PdfSetupError):
    """No usable CJK font: the message names what was looked for and how to install it."""


@dataclass(frozen=True)
class FontSet:
    regular: Path
    bold: Path

    def file(self, name: str) -> Path | None:
        """The font file served under ``name`` (``regular`` or ``bold``), nothing else."""
        return {"regular": self.regular, "bold": self.bold}.get(name)


def find_fonts(regular: str | None = None, bold: str | None = None) -> FontSet:
    """Configured files first, then the distribution's; raises :class:`MissingFontError`."""
    chosen = {}
    for weight, configured in (("regular", regular), ("bold", bold)):
        candidates = (Path(configured),) if configured else SEARCH_PATHS[weight]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            looked = ", ".join(str(p) for p in candidates)
            raise MissingFontError(f"No Chinese ({weight}) font for PDFs: looked for {looked}; "
                                   f"{INSTALL_HINT}.")
        chosen[weight] = found
    return FontSet(**chosen)
