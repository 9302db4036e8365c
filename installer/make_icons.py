"""Draw the app icon and write the icon set: resources/icons/modelwerk-SIZE.png, .ico (Windows), .icns (macOS).

Run: .venv/bin/python installer/make_icons.py   (the files are committed; rerun after changing the drawing)
The icon: a blue rounded square with a white "M" drawn as a small network: four nodes joined by strokes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath, QPen

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 100, size / 100)
    gradient = QLinearGradient(0, 0, 100, 100)
    gradient.setColorAt(0, QColor("#3b7be8"))
    gradient.setColorAt(1, QColor("#1a46a8"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    p.drawRoundedRect(QRectF(4, 4, 92, 92), 20, 20)
    nodes = [QPointF(24, 74), QPointF(30, 28), QPointF(50, 56), QPointF(70, 28), QPointF(76, 74)]
    path = QPainterPath(nodes[0])
    for n in nodes[1:]:
        path.lineTo(n)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("white"), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    for n in nodes[1:4]:
        p.drawEllipse(n, 8.5, 8.5)
    p.setBrush(QColor("#ffc94d"))  # the spark: the model at work
    p.drawEllipse(nodes[2], 5, 5)
    p.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size).save(str(OUT / f"modelwerk-{size}.png"))
    draw(256).save(str(OUT / "modelwerk.ico"))
    draw(512).save(str(OUT / "modelwerk.icns"))
    print(f"wrote {len(SIZES)} PNGs, modelwerk.ico and modelwerk.icns to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
