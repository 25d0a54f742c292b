"""Start and stop a local Label Studio server: headless, offline, on loopback, in its own data folder.

Used by the integration tests and by anyone who labels a corpus through a real server::

    with LabelStudioServer(tmp / "ls") as server:
        result = push(corpus, url=server.url, token=server.token)

What it does (facts in ../shared/LABEL_STUDIO.md):

- runs ``label-studio start --no-browser --internal-host 127.0.0.1 --port PORT --data-dir DIR`` with
  ``LABEL_STUDIO_BASE_DATA_DIR`` and ``XDG_CONFIG_HOME`` inside ``DIR`` (nothing written to the home
  folder), analytics, version checks and Sentry off, and the unprefixed variables it would also read
  (``USERNAME``, ``PASSWORD``, ``HOST``, ``PORT``, ``USER_TOKEN``, ``DEBUG``) stripped;
- picks a free port and health-checks that exact port (Label Studio silently moves to port+1 when the
  port is busy), then checks the API token;
- keeps the admin's credentials in ``DIR/newstag-server.json``: Label Studio fixes the token when it
  first creates the user, so a later start on the same folder reuses it;
- logs the server's output to ``DIR/server.log`` (its tail is in every error message);
- stops with SIGTERM, then SIGKILL after a grace period;
- optionally starts from a ``template`` folder where ``label-studio init`` already ran the database
  migrations (:func:`migrated_template`, cached per Label Studio version): 4–7 s to ready instead of
  ~40 s (minutes on a busy machine).
"""

from __future__ import annotations

__all__ = ["LabelStudioServer", "find_label_studio", "free_port", "server_env", "migrated_template",
           "label_studio_version", "STRIPPED_VARIABLES", "LOCAL_ML_BACKEND_ENV"]

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Mapping

from corpus import dumps_json
from corpus.atomic import private_file

from .errors import LabelStudioError

STRIPPED_VARIABLES = ("USERNAME", "PASSWORD", "HOST", "PORT", "USER_TOKEN", "DEBUG")
# Label Studio refuses ML backend URLs and webhooks on private or loopback addresses by default (SSRF
# protection); these let it reach `newstag annotate backend` on 127.0.0.1. Only for a server on loopback.
LOCAL_ML_BACKEND_ENV = {"LABEL_STUDIO_ML_BLOCK_LOCAL_IP": "false", "LABEL_STUDIO_SSRF_PROTECTION_ENABLED": "false"}
_CREDENTIALS = "newstag-server.json"


def find_label_studio(root: str | Path | None = None) -> Path | None:
    """The ``label-studio`` executable: ``$NEWSTAG_LABEL_STUDIO``, else ``ROOT/.venv-ls/bin/label-studio``
    (ROOT defaults to this repository), else the one on PATH; None when there is none."""
    env = os.environ.get("NEWSTAG_LABEL_STUDIO")
    if env:
        return Path(env) if Path(env).is_file() else None
    root = Path(root) if root is not None else Path(__file__).resolve().parent.parent
    local = root / ".venv-ls" / "bin" / "label-studio"
    if local.is_file():
        return local
    found = shutil.which("label-studio")
    return Path(found) if found else None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def server_env(base: Mapping[str, str], data_dir: Path, *, username: str | None = None,
               password: str | None = None, token: str | None = None) -> dict[str, str]:
    """The server's environment: ``base`` without the variables Label Studio must not see, plus its own
    (the admin account only when ``username`` is given)."""
    env = {k: v for k, v in base.items()
           if k not in STRIPPED_VARIABLES and not k.startswith("LABEL_STUDIO_")}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "XDG_CONFIG_HOME": str(data_dir / ".xdg-config"),
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    })
    if username is not None:
        env.update({"LABEL_STUDIO_USERNAME": username, "LABEL_STUDIO_PASSWORD": password or "",
                    "LABEL_STUDIO_USER_TOKEN": token or ""})
    return env


def label_studio_version(executable: str | Path) -> str:
    """The installed Label Studio version beside ``executable`` (from its dist-info), or ``"unknown"``."""
    venv = Path(executable).resolve().parent.parent
    found = sorted(venv.glob("lib/python*/site-packages/label_studio-*.dist-info"))
    return found[-1].name[len("label_studio-"):-len(".dist-info")] if found else "unknown"


def migrated_template(cache_dir: str | Path, *, executable: str | Path, timeout: float = 900.0) -> Path:
    """A data folder where ``label-studio init`` ran the migrations (no users yet), made once per version.

    Copy it into a new data folder (``LabelStudioServer(..., template=...)`` does) to start in seconds.
    It is built in a temporary folder and renamed into place, so a half-made template is never used.

    Raises
    ------
    LabelStudioError
        When ``label-studio init`` fails or times out (the message carries its output).
    """
    cache_dir = Path(cache_dir)
    target = cache_dir / f"template-{label_studio_version(executable)}"
    if (target / ".complete").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".template-", dir=cache_dir))
    log = tmp / "init.log"
    try:
        with open(log, "wb") as fh:
            proc = subprocess.run([str(executable), "init", "-q", "--data-dir", str(tmp)],
                                  env=server_env(os.environ, tmp), stdin=subprocess.DEVNULL, stdout=fh,
                                  stderr=subprocess.STDOUT, timeout=timeout, cwd=tmp)
        if proc.returncode != 0 or not (tmp / "label_studio.sqlite3").is_file():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise LabelStudioError(f"`label-studio init` failed (exit {proc.returncode}) in {tmp}:\n{tail}")
        (tmp / ".complete").write_text("migrated by label-studio init\n")
        try:
            os.replace(tmp, target)
        except OSError:  # another process made it first
            if not (target / ".complete").is_file():
                raise
    except subprocess.TimeoutExpired:
        raise LabelStudioError(f"`label-studio init` did not finish within {timeout:.0f} s (migrations).") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


class LabelStudioServer:
    """A Label Studio server process bound to ``127.0.0.1`` (a context manager).

    Parameters
    ----------
    data_dir : its data folder (created if needed); reuse one to skip the ~40 s of first-start migrations
    executable : the ``label-studio`` script (default: :func:`find_label_studio`)
    port : default: a free port
    username, password, token : the admin account; by default the ones stored in the data folder, or new
        ones (a random password and 32-hex-digit token) on a new folder
    startup_timeout : seconds to wait for ``/health`` and the API
    template : a migrated data folder (:func:`migrated_template`) copied into ``data_dir`` when that
        has no database yet
    env : further variables for the server, e.g. :data:`LOCAL_ML_BACKEND_ENV` to let it reach an ML
        backend on this machine
    """

    def __init__(self, data_dir: str | Path, *, executable: str | Path | None = None, port: int | None = None,
                 username: str | None = None, password: str | None = None, token: str | None = None,
                 startup_timeout: float = 180.0, template: str | Path | None = None,
                 env: Mapping[str, str] | None = None):
        self.data_dir = Path(data_dir).resolve()
        self.executable = Path(executable) if executable is not None else find_label_studio()
        self.host = "127.0.0.1"
        self.port = port
        self.username, self.password, self.token = username, password, token
        self.startup_timeout = startup_timeout
        self.template = Path(template) if template is not None else None
        self.extra_env = dict(env or {})
        self.log_path = self.data_dir / "server.log"
        self._proc: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        for secret in (self.token, self.password):  # the tail goes into error messages
            if secret:
                text = text.replace(secret, "***")
        return "\n".join(text.splitlines()[-lines:])

    def _credentials(self) -> None:
        path = self.data_dir / _CREDENTIALS
        stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        for key in ("username", "password", "token"):
            given, old = getattr(self, key), stored.get(key)
            if given is not None and old is not None and given != old and key != "password":
                shown = f" {old!r}, not {given!r}" if key == "username" else " another value than the one given"
                raise LabelStudioError(  # a token is never shown: messages end up in logs and CI output
                    f"Label Studio data folder {self.data_dir} was created with {key}{shown}; "
                    f"Label Studio fixes the admin's {key} on first start. Use the stored one (leave it unset) "
                    f"or a new data folder."
                )
        self.username = self.username or stored.get("username") or "admin@example.com"
        self.password = self.password or stored.get("password") or secrets.token_urlsafe(16)
        self.token = self.token or stored.get("token") or secrets.token_hex(16)
        if not 6 <= len(self.token) <= 40:
            raise LabelStudioError(f"Label Studio API token must have 6 to 40 characters, got {len(self.token)}.")
        if not stored:  # readable by its owner only from the moment it exists
            private_file(path, dumps_json({"username": self.username, "password": self.password, "token": self.token}))

    def start(self) -> "LabelStudioServer":
        """Start the server and wait until it answers ``/health`` and accepts the token.

        Raises
        ------
        LabelStudioError
            When the executable is missing, the process exits, or it is not ready within the timeout
            (the message carries the tail of the server log).
        """
        if self.running:
            return self
        if self.executable is None or not Path(self.executable).is_file():
            raise LabelStudioError(
                f"no label-studio executable (looked for {self.executable or '.venv-ls/bin/label-studio'}); "
                f"install the server with `make install-labelstudio` or set NEWSTAG_LABEL_STUDIO."
            )
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if not self.data_dir.exists():
            os.mkdir(self.data_dir, 0o700)  # it will hold the token (in the database): private from the start
        if self.template is not None and not (self.data_dir / "label_studio.sqlite3").exists():
            shutil.copytree(self.template, self.data_dir, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".complete", "init.log", "server.log"))
            os.chmod(self.data_dir, 0o700)  # copytree gives the folder the template's mode
        self._credentials()
        self.port = self.port or free_port(self.host)
        env = server_env(os.environ, self.data_dir, username=self.username, password=self.password,
                         token=self.token)
        env.update(self.extra_env)
        cmd = [str(self.executable), "start", "--no-browser", "--internal-host", self.host,
               "--port", str(self.port), "--data-dir", str(self.data_dir)]
        self._log = open(self.log_path, "ab")
        self._proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
                                      stderr=subprocess.STDOUT, start_new_session=True, cwd=self.data_dir)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url + path)
        if token:
            req.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc is not None and self._proc.poll() is not None:
                raise LabelStudioError(
                    f"Label Studio exited with code {self._proc.returncode} while starting on {self.url}; "
                    f"server log {self.log_path}:\n{self.log_tail()}"
                )
            try:
                status, body = self._get("/health")
                if status == 200 and b"UP" in body:
                    break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise LabelStudioError(
                    f"Label Studio did not answer {self.url}/health within {self.startup_timeout:.0f} s; "
                    f"server log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.5)
        status, body = self._get("/api/current-user/whoami", self.token)
        if status != 200:
            raise LabelStudioError(
                f"Label Studio on {self.url} refused the API token (HTTP {status}: {body[:200]!r}). The token is "
                f"fixed when the data folder is first used; start with a new data folder."
            )

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM the server, SIGKILL it after ``grace`` seconds; idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # its own session: only the server and its children
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "LabelStudioServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LabelStudioServer({self.url if self.port else 'no port yet'}, {state}, data_dir={self.data_dir})"
