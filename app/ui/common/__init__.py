"""Widgets and helpers that several pages share: number formats, icons, safe text, links, the thread marshaller, pool
calls, errors, ui.ini, banners and bars."""
