"""Typed hub errors, each with a one-line message that says what to do; `hub_error` translates library exceptions."""

from __future__ import annotations

from core.errors import ModelwerkError


class HubError(ModelwerkError):
    """Something went wrong talking to the hub or downloading from it; str(e) is one line for the user."""

    hint = "check your connection, the repository name and your token"


class HubUnavailable(HubError):
    """The hub (or mirror) cannot be reached: offline, DNS, refused, timed out, or a server error."""

    hint = "check your connection, proxy or HF_ENDPOINT, then try again"


class RepoNotFound(HubError):
    """The repository does not exist, or it is private and the token cannot see it."""

    hint = "check the repository name (OWNER/NAME), or log in if it is private"


class FileNotOnHub(HubError):
    """The repository exists but not this file or revision."""

    hint = "pick another file or revision of the repository"


class GatedRepoError(HubError):
    """The repository is gated: its files need an accepted licence and a token."""

    hint = "accept the repository's terms on the hub while logged in, then set HF_TOKEN"

    def __init__(self, repo_id: str, endpoint: str, *, have_token: bool) -> None:
        self.repo_id = repo_id
        where = "set HF_TOKEN or run `hf auth login`" if not have_token else "check that your token has read access"
        super().__init__(
            f"{repo_id} is gated: accept its terms at {endpoint.rstrip('/')}/{repo_id} while logged in, then {where}"
        )


class DownloadError(HubError):
    """A download failed; partial data is kept only where it can be resumed."""

    hint = "retry the download: it resumes where it stopped"


class ChecksumMismatch(DownloadError):
    """The downloaded bytes do not match the hub's sha256; the file was deleted."""

    hint = "download the file again"


class DiskFull(DownloadError):
    """Not enough free space for the download."""

    hint = "free some disk space, or choose another models folder"


class DownloadCancelled(DownloadError):
    """The download was paused or cancelled; its .incomplete file is kept for resuming unless it was cancelled."""

    hint = "start the download again to resume it"


def hub_error(exc: BaseException, *, repo_id: str | None = None, endpoint: str = "https://huggingface.co",
              have_token: bool = False) -> HubError:
    """Turn a huggingface_hub or HTTP exception into a HubError with a one-line, actionable message."""
    if isinstance(exc, HubError):
        return exc
    from huggingface_hub import errors as hf

    what = repo_id or "the repository"
    if isinstance(exc, hf.GatedRepoError):
        return GatedRepoError(repo_id or "this repository", endpoint, have_token=have_token)
    if isinstance(exc, hf.RepositoryNotFoundError):
        hint = "check the name" if have_token else "check the name, or log in if it is private"
        return RepoNotFound(f"{what} was not found on {endpoint}: {hint}")
    if isinstance(exc, hf.RevisionNotFoundError):
        return FileNotOnHub(f"{what} has no such revision")
    if isinstance(exc, hf.EntryNotFoundError):
        return FileNotOnHub(f"{what} has no such file")
    if isinstance(exc, hf.HFValidationError):
        return RepoNotFound(f"{what!r} is not a repository name: use OWNER/NAME, e.g. bartowski/Qwen2.5-7B-Instruct-GGUF")
    if isinstance(exc, hf.OfflineModeIsEnabled):
        return HubUnavailable("offline mode is on (HF_HUB_OFFLINE): unset it to search and download")
    if isinstance(exc, hf.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is not None and status >= 500:
            return HubUnavailable(f"{endpoint} answered with a server error ({status}); try again in a minute")
        first = str(exc).strip().splitlines()
        return HubError(first[0] if first else f"the hub refused the request ({status})")
    if isinstance(exc, (OSError, TimeoutError)) or _is_transport_error(exc):
        return HubUnavailable(f"cannot reach {endpoint}: check your connection, proxy or HF_ENDPOINT")
    first = str(exc).strip().splitlines()
    return HubError(first[0] if first else type(exc).__name__)


def _is_transport_error(exc: BaseException) -> bool:
    """httpx (and requests) connection and timeout errors, without importing either."""
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"TransportError", "ConnectError", "TimeoutException", "ConnectionError", "Timeout", "NetworkError"})
