#!/bin/sh
# Cuts the two fallback fonts the PDFs switch to, character by character, for what the main
# font (wqy-microhei-gbk.ttf, see cut-font.sh) lacks: every Chinese character of GB 18030
# beyond GBK (src/platform/pdf/font.rs includes the results at compile time and parses each
# only when a text has a character the fonts before it lack).
#
# Source: Hanazono Mincho (花園明朝) 20170904 by the GlyphWiki Project, from Debian 12's
#   package fonts-hanazono 20170904-2.1: /usr/share/fonts/truetype/hanazono/HanaMinA.ttf
#   (BMP, with CJK Extension A) and HanaMinB.ttf (CJK Extensions B–F and the compatibility
#   supplement). Licence: the Hanazono Font License (free use, copying, modification and
#   redistribution, commercial or not), which the font is offered under as an alternative
#   to the OFL; see LICENSE-hanazono.txt in this folder.
# Tool: fontTools' subsetter (Debian python3-fonttools 4.38.0, or `pip install fonttools`).
#
# Kept, and only where WenQuanYi (as cut) has no glyph:
#   hanazono-bmp.ttf, from HanaMinA: CJK radicals (2E80–2FDF), ideographic description
#     characters, CJK symbols, Bopomofo, strokes (31C0–31EF), enclosed CJK letters and
#     CJK compatibility (3200–33FF), Extension A (3400–4DBF), the unified ideographs GBK
#     lacks (4E00–9FFF: those added after Unicode 2.1), compatibility ideographs
#     (F900–FAFF), vertical and compatibility forms (FE10–FE1F, FE30–FE4F).
#   hanazono-sip.ttf, from HanaMinB: everything it has in the Supplementary Ideographic
#     Plane (20000–2FA1F): Extensions B, C, D, E, F and the compatibility supplement.
# Dropped: hinting, OpenType layout tables and glyph names, as in cut-font.sh.
#
# Re-run (a developer's one-time step; CI only uses the committed .ttf files):
#   apt-get install -y fonts-hanazono python3-fonttools
#   sh assets/fonts/cut-fallback-fonts.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}  # Debian's, which has python3-fonttools
hanazono=${HANAZONO:-/usr/share/fonts/truetype/hanazono}
bmp_chars=$(mktemp)
sip_chars=$(mktemp)
trap 'rm -f "$bmp_chars" "$sip_chars"' EXIT

"$python" - "$here/wqy-microhei-gbk.ttf" "$hanazono" "$bmp_chars" "$sip_chars" <<'PY'
import sys
from fontTools.ttLib import TTFont

main_font, hanazono, bmp_out, sip_out = sys.argv[1:5]
have = set(TTFont(main_font, lazy=True).getBestCmap())
a = set(TTFont(hanazono + "/HanaMinA.ttf", lazy=True).getBestCmap())
b = set(TTFont(hanazono + "/HanaMinB.ttf", lazy=True).getBestCmap())

bmp_ranges = [
    (0x2E80, 0x2FFF),  # radicals, Kangxi radicals, ideographic description characters
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31EF),  # Bopomofo extended, CJK strokes
    (0x3200, 0x33FF),  # enclosed CJK letters, CJK compatibility
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
]
bmp = {c for c in a - have if any(lo <= c <= hi for lo, hi in bmp_ranges)}
sip = {c for c in b - have if 0x20000 <= c <= 0x2FA1F}
for path, chars in ((bmp_out, bmp), (sip_out, sip)):
    with open(path, "w") as f:
        f.write(",".join("U+%04X" % c for c in sorted(chars)))
    print(path, len(chars), "characters", file=sys.stderr)
PY

cut() {
  "$python" -m fontTools.subset "$1" \
    --unicodes-file="$2" \
    --layout-features='' \
    --no-hinting \
    --no-glyph-names \
    --drop-tables+=GSUB,GPOS,GDEF,kern,vhea,vmtx,VORG \
    --name-IDs='*' \
    --output-file="$3"
  ls -l "$3"
}
cut "$hanazono/HanaMinA.ttf" "$bmp_chars" "$here/hanazono-bmp.ttf"
cut "$hanazono/HanaMinB.ttf" "$sip_chars" "$here/hanazono-sip.ttf"
