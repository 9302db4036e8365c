#!/bin/sh
# Pack dist/modelwerk (the PyInstaller one-folder bundle) with the Linux integration files into
# dist/modelwerk-VERSION-linux-ARCH.tar.gz (…-linux-ARCH-VARIANT.tar.gz with MODELWERK_VARIANT set, e.g. "vulkan" in
# CI's GPU build). Run by `make dist` after PyInstaller.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml")
ARCH=$(uname -m)
BUNDLE=$ROOT/dist/modelwerk
mkdir -p "$BUNDLE/share"
cp "$ROOT/installer/linux/modelwerk.desktop" "$ROOT/installer/linux/modelwerk-gguf.xml" "$BUNDLE/share/"
cp "$ROOT/installer/linux/install.sh" "$BUNDLE/install.sh"
chmod +x "$BUNDLE/install.sh"
OUT=$ROOT/dist/modelwerk-$VERSION-linux-$ARCH${MODELWERK_VARIANT:+-$MODELWERK_VARIANT}.tar.gz
tar -C "$ROOT/dist" -czf "$OUT" modelwerk
echo "$OUT: $(du -h "$OUT" | cut -f1) packed, $(du -sh "$BUNDLE" | cut -f1) unpacked"
