#!/bin/sh
# Install the unpacked Modelwerk folder for this user: a launcher in ~/.local/bin, the menu entry, the icon, and the
# .gguf file type (double-click a model in the file manager to open it in Modelwerk). Run from the unpacked folder:
#   ./install.sh            (install)      ./install.sh --uninstall
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
case $HERE in
    *"
"*) echo "install.sh: the folder's path contains a line break; move Modelwerk to a folder without one" >&2; exit 1 ;;
esac
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=$HOME/.local/bin
if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$BIN/modelwerk" "$DATA/applications/modelwerk.desktop" "$DATA/mime/packages/modelwerk-gguf.xml"
    for size in 16 24 32 48 64 128 256 512; do rm -f "$DATA/icons/hicolor/${size}x${size}/apps/modelwerk.png"; done
    echo "Modelwerk removed from the menu (its folder $HERE and your data in $DATA/Modelwerk are kept)."
else
    mkdir -p "$BIN" "$DATA/applications" "$DATA/mime/packages"
    ln -sf "$HERE/modelwerk" "$BIN/modelwerk"
    # The folder's path goes into the menu entry's Exec line quoted as the desktop entry spec says (\ " ` $ escaped by
    # a backslash, itself doubled as the file's string escapes require, and % doubled), and never into a sed script, so
    # a path with & | \ or quotes in it stays the path.
    exec_path=$(printf '%s\n' "$HERE/modelwerk" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            Exec=modelwerk*) printf 'Exec="%s"%s\n' "$exec_path" "${line#Exec=modelwerk}" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done < "$HERE/share/modelwerk.desktop" > "$DATA/applications/modelwerk.desktop"
    cp "$HERE/share/modelwerk-gguf.xml" "$DATA/mime/packages/"
    for size in 16 24 32 48 64 128 256 512; do
        mkdir -p "$DATA/icons/hicolor/${size}x${size}/apps"
        cp "$HERE/_internal/resources/icons/modelwerk-$size.png" "$DATA/icons/hicolor/${size}x${size}/apps/modelwerk.png"
    done
    echo "Modelwerk installed: in the menu, as 'modelwerk' in $BIN, and as the app for .gguf files."
fi
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q "$DATA/icons/hicolor" 2>/dev/null || true
