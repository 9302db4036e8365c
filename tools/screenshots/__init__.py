"""The docs' screenshots (docs/*.png): the main window offscreen on a fake machine, with staged content.

`make screenshots` runs `python -m tools.screenshots docs`."""
