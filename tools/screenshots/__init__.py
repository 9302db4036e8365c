"""The docs' screenshots (docs/*.png): the main window offscreen on this machine, with real models, jobs and chats.

`make screenshots` runs `python -m tools.screenshots docs`."""
