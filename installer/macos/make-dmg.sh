#!/bin/sh
# Pack dist/Modelwerk.app (made by `pyinstaller installer/modelwerk.spec` on macOS) into dist/Modelwerk-VERSION.dmg with
# an /Applications link to drag it onto. Uses only hdiutil (part of macOS). Signing and notarisation, when a Developer ID
# is available: codesign --deep --options runtime -s "Developer ID Application: ..." dist/Modelwerk.app, then
# xcrun notarytool submit dist/Modelwerk-VERSION.dmg --wait, then xcrun stapler staple.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml")
STAGE=$(mktemp -d)
cp -R "$ROOT/dist/Modelwerk.app" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Modelwerk $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$ROOT/dist/Modelwerk-$VERSION.dmg"
rm -rf "$STAGE"
echo "dist/Modelwerk-$VERSION.dmg"
