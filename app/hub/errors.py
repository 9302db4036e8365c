"""Typed hub errors, each with a one-line message that says what to do; `hub_error` translates library exceptions."""

from __future__ import annotations

from core.errors import ModelwerkError
from core.messages import N_, Message


class HubError(ModelwerkError):
    """Something went wrong talking to the hub or downloading from it; str(e) is one line for the user."""

    hint = N_("check your connection, the repository name and your token")


class HubUnavailable(HubError):
    """The hub (or mirror) cannot be reached: offline, DNS, refused, timed out, or a server error."""

    hint = N_("check your connection, proxy or HF_ENDPOINT, then try again")


class RepoNotFound(HubError):
    """The repository does not exist, or it is private and the token cannot see it."""

    hint = N_("check the repository name (OWNER/NAME), or log in if it is private")


class FileNotOnHub(HubError):
    """The repository exists but not this file or revision."""

    hint = N_("pick another file or revision of the repository")


class GatedRepoError(HubError):
    """The repository is gated: its files need an accepted licence and a token."""

    hint = N_("accept the repository's terms on the hub while logged in, then set HF_TOKEN")

    def __init__(self, repo_id: str, endpoint: str, *, have_token: bool) -> None:
        self.repo_id = repo_id
        where = Message("set HF_TOKEN or run `hf auth login`") if not have_token else Message(
            "check that your token has read access")  # fmt: skip
        super().__init__(Message("{repo} is gated: accept its terms at {url} while logged in, then {where}", repo=repo_id,
                                 url=f"{endpoint.rstrip('/')}/{repo_id}", where=where))  # fmt: skip


class DownloadError(HubError):
    """A download failed; partial data is kept only where it can be resumed."""

    hint = N_("retry the download: it resumes where it stopped")


class ChecksumMismatch(DownloadError):
    """The downloaded bytes do not match the hub's sha256; the file was deleted."""

    hint = N_("download the file again")


class DiskFull(DownloadError):
    """Not enough free space for the download."""

    hint = N_("free some disk space, or choose another models folder")


class DownloadCancelled(DownloadError):
    """The download was paused or cancelled; its .incomplete file is kept for resuming unless it was cancelled."""

    hint = N_("start the download again to resume it")


def hub_error(
    exc: BaseException, *, repo_id: str | None = None, endpoint: str = "https://huggingface.co", have_token: bool = False
) -> HubError:
    """Turn a huggingface_hub or HTTP exception into a HubError with a one-line, actionable message."""
    if isinstance(exc, HubError):
        return exc
    from huggingface_hub import errors as hf

    what = repo_id or Message("the repository")
    if isinstance(exc, hf.GatedRepoError):
        return GatedRepoError(repo_id or "this repository", endpoint, have_token=have_token)
    if isinstance(exc, hf.RepositoryNotFoundError):
        return repo_not_found(what, endpoint, have_token=have_token)
    if isinstance(exc, hf.RevisionNotFoundError):
        return FileNotOnHub(Message("{repo} has no such revision", repo=what))
    if isinstance(exc, hf.EntryNotFoundError):
        return FileNotOnHub(Message("{repo} has no such file", repo=what))
    if isinstance(exc, hf.HFValidationError):
        return RepoNotFound(Message("{repo} is not a repository name: use OWNER/NAME, e.g. "
                                    "bartowski/Qwen2.5-7B-Instruct-GGUF", repo=repr(str(what))))  # fmt: skip
    if isinstance(exc, hf.OfflineModeIsEnabled):
        return HubUnavailable(Message("offline mode is on (HF_HUB_OFFLINE): unset it to search and download"))
    if isinstance(exc, hf.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is not None and status >= 500:
            return HubUnavailable(Message("{endpoint} answered with a server error ({status}); try again in a minute",
                                          endpoint=endpoint, status=str(status)))  # fmt: skip
        first = str(exc).strip().splitlines()
        return HubError(first[0] if first else Message("the hub refused the request ({status})", status=str(status)))
    if isinstance(exc, (OSError, TimeoutError)) or _is_transport_error(exc):
        return HubUnavailable(Message("cannot reach {endpoint}: check your connection, proxy or HF_ENDPOINT",
                                      endpoint=endpoint))  # fmt: skip
    first = str(exc).strip().splitlines()
    return HubError(first[0] if first else type(exc).__name__)


def repo_not_found(repo: str | Message, endpoint: str, *, have_token: bool) -> RepoNotFound:
    """The repository does not exist, or a token could see it."""
    if have_token:
        return RepoNotFound(Message("{repo} was not found on {endpoint}: check the name", repo=repo, endpoint=endpoint))
    return RepoNotFound(Message("{repo} was not found on {endpoint}: check the name, or log in if it is private",
                                repo=repo, endpoint=endpoint))  # fmt: skip


def _is_transport_error(exc: BaseException) -> bool:
    """httpx (and requests) connection and timeout errors, without importing either."""
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"TransportError", "ConnectError", "TimeoutException", "ConnectionError", "Timeout", "NetworkError"})
