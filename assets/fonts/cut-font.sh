#!/bin/sh
# Cuts the font the PDFs embed (src/pdf/font.rs includes the result at compile time).
#
# Source: WenQuanYi Micro Hei 0.2.0-beta, face 0 ("WenQuanYi Micro Hei", proportional) of
#   /usr/share/fonts/truetype/wqy/wqy-microhei.ttc from Debian 12's package
#   fonts-wqy-microhei 0.2.0-beta-3.1 (licence: Apache-2.0, see LICENSE in this folder).
# Tool: fontTools' subsetter (Debian python3-fonttools 4.38.0).
#
# Kept: the whole GBK repertoire (GB2312 is not enough: 喆 玥 堃 昇 珺 垚 彧 祎 旻 赟 are
# GBK-only), ASCII and Latin-1, full-width forms, general and CJK punctuation, ¥ × № ℃,
# ①–⑳, ☐ ☑ ☒ ✓ ✔ and the euro sign. Dropped: hinting, OpenType layout tables and glyph
# names (printpdf does not shape text and viewers do not need them), CJK Extension A,
# Hangul, Kana outside GBK.
#
# Re-run (a developer's one-time step; CI only uses the committed .ttf):
#   apt-get install -y fonts-wqy-microhei python3-fonttools
#   sh assets/fonts/cut-font.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}  # Debian's, which has python3-fonttools
source_font=${SOURCE_FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
out="$here/wqy-microhei-gbk.ttf"
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT

"$python" - "$chars" <<'PY'
import sys

code_points = set(range(0x20, 0x7F))          # ASCII
code_points |= set(range(0xA0, 0x100))        # Latin-1: ¥ × ÷ ° ±
code_points |= set(range(0xFF01, 0xFF5F))     # full-width forms
code_points |= set(range(0xFFE0, 0xFFE7))     # full-width ¢ £ ¬ ￣ ¦ ¥
code_points |= set(range(0x2000, 0x2070))     # general punctuation: — ‘’ “” … ‰ ※
code_points |= set(range(0x3000, 0x3040))     # CJK symbols and punctuation: 、。「」【】
code_points |= set(range(0x2460, 0x2474))     # ①–⑳
code_points |= {0x20AC, 0x2103, 0x2116, 0x2122, 0x2610, 0x2611, 0x2612, 0x2713, 0x2714}
# Every character GBK encodes (lead byte 0x81–0xFE, trail 0x40–0xFE without 0x7F).
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        if trail == 0x7F:
            continue
        try:
            text = bytes([lead, trail]).decode("gbk")
        except UnicodeDecodeError:
            continue
        code_points.update(ord(c) for c in text)
with open(sys.argv[1], "w") as f:
    f.write(",".join("U+%04X" % c for c in sorted(code_points)))
PY

"$python" -m fontTools.subset "$source_font" \
  --font-number=0 \
  --unicodes-file="$chars" \
  --layout-features='' \
  --no-hinting \
  --no-glyph-names \
  --drop-tables+=GSUB,GPOS,GDEF,kern \
  --name-IDs='*' \
  --output-file="$out"
ls -l "$out"
