#!/usr/bin/env bash
# Regenerates the fonts vendored in crates/documents/fonts/: Noto Serif SC
# (SIL OFL 1.1) Regular and Bold, subset to GB 2312 + ASCII + the punctuation
# and marks the documents print, with a ☑ added (see add_ballot_box.py).
#
# Needs npm, python3 and network access to the npm registry and PyPI.
# Usage: scripts/fonts/subset.sh
set -euo pipefail

PACKAGE=@expo-google-fonts/noto-serif-sc@0.4.3   # Noto Serif SC 2.003 (Google Fonts v35)
FONTTOOLS=fonttools==4.68.0

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../../crates/documents/fonts" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "$PACKAGE" >/dev/null
tar xzf ./*.tgz
python3 -m venv venv
venv/bin/pip install --quiet "$FONTTOOLS"
venv/bin/python "$here/charset.py" > chars.txt

for weight in Regular:400Regular Bold:700Bold; do
    name=${weight%%:*} dir=${weight#*:}
    # No hinting (PDF viewers ignore it) and no vertical metrics (the
    # documents are set horizontally): both only cost bytes.
    venv/bin/pyftsubset "package/$dir/NotoSerifSC_$dir.ttf" \
        --text-file=chars.txt \
        --layout-features='*' \
        --no-hinting \
        --drop-tables+=vhea,vmtx,BASE,STAT \
        --name-IDs='*' --name-languages='*' \
        --output-file="$out/NotoSerifSC-$name-GB2312.ttf"
    venv/bin/python "$here/add_ballot_box.py" "$out/NotoSerifSC-$name-GB2312.ttf"
done
cp package/LICENSE_FONT "$out/OFL.txt"
ls -l "$out"
