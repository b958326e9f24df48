"""Where the briefing's pinned fonts live, for the charts and the PDF alike.

Kept free of heavy imports: the kernel imports it to draw charts, and must not pay for
nbconvert or WeasyPrint to learn a path.
"""

from pathlib import Path

#: Hangul: Debian's fonts-nanum (installed by tools/system-deps.sh), pinned by path.
HANGUL_FONTS = Path("/usr/share/fonts/truetype/nanum")
HANGUL_RANGE = "U+1100-11FF, U+3000-303F, U+3130-318F, U+A960-A97F, U+AC00-D7AF, U+D7B0-D7FF"
