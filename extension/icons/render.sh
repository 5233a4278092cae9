#!/bin/sh
# Renders icon.svg into the PNG sizes the manifest names. Each size is drawn from the SVG itself (not scaled
# down from a large PNG), so the 16 px icon stays sharp. Uses rsvg-convert when present, else ffmpeg's
# librsvg decoder (Debian's ffmpeg has it).
set -eu
cd "$(dirname "$0")"
for size in 16 32 48 128; do
    out="icon$size.png"
    if command -v rsvg-convert >/dev/null 2>&1; then
        rsvg-convert -w "$size" -h "$size" -o "$out" icon.svg
    else
        ffmpeg -loglevel error -y -width "$size" -height "$size" -i icon.svg -frames:v 1 -pix_fmt rgba "$out"
    fi
done
