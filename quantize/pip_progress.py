"""pip's output, read line by line, as a stage message and a fraction of the step: the toolchain install's progress.

Also the redaction of credentials from pip's command lines and output before they are logged or shown.
"""

from __future__ import annotations

import re

# The userinfo of a URL: scheme://user:password@host or scheme://token@host (an index URL's credentials).
# Greedy up to the authority's last "@", so that a password with a raw "@" in it is redacted whole.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/]+@")


def redact_credentials(text: str) -> str:
    """``text`` with every URL's ``user:password@`` (or ``token@``) part replaced by ``***@``.

    pip's command line carries the index URLs (``--index-url``, ``--extra-index-url``, a private mirror's
    ``https://user:token@host/simple``), and so may its error messages; the log and the user see the host, not the key.
    """
    return _URL_USERINFO.sub(r"\1***@", text)


class PipProgress:
    """Turns pip's output lines into a stage message and a fraction of that step (0..1)."""

    _collect = re.compile(r"^\s*(?:Collecting|Requirement already satisfied:)\s+([A-Za-z0-9_.\-]+)")
    _download = re.compile(r"^\s*(?:Downloading|Using cached|Processing)\s+(?:\S*/)?([A-Za-z0-9_.]+?)-\d")
    _installing = re.compile(r"^\s*Installing collected packages:\s*(.*)$")

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.message = stage
        self.fraction = 0.0
        self.error = ""
        self._collected = 0

    def feed(self, line: str) -> bool:
        """Take one line; True when the message or fraction changed."""
        if line.startswith("ERROR:"):
            self.error = self.error or redact_credentials(line[len("ERROR:") :].strip())
            return False
        m = self._installing.match(line)
        if m:
            count = len([p for p in m.group(1).split(",") if p.strip()])
            self.message, self.fraction = f"{self.stage}: installing {count} packages", 0.7
            return True
        if line.startswith("Successfully"):
            self.message, self.fraction = f"{self.stage}: done", 1.0
            return True
        m = self._download.match(line) or self._collect.match(line)
        if m:
            self._collected += 1
            verb = "downloading" if self._download.match(line) else "resolving"
            # The number of packages is unknown up front: approach 60 % as more are collected.
            self.message = f"{self.stage}: {verb} {m.group(1)}"
            self.fraction = max(self.fraction, 0.6 * (1 - 0.85**self._collected))
            return True
        return False
