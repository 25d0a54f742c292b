"""The ML backend over HTTP: a Starlette app around :class:`annotation.backend.Backend`, served by uvicorn.

Starlette and uvicorn come with the ``serve`` extra (``pip install 'newstag[serve]'``) and are imported
only here. Every answer is JSON; every refusal is ``{"error": ..., "detail": ...}`` with a 4xx status
(400 malformed request, 401 token, 404/405 route, 413 body too large, 422 config that maps to no facet),
and the service keeps serving. With a token, every request must carry it: ``Authorization: Token T``,
``Bearer T``, or basic auth with T as the password (what Label Studio sends when the model is connected
with "Basic Authentication").
"""

from __future__ import annotations

__all__ = ["make_app", "serve", "BackendServer", "is_loopback", "DEFAULT_MAX_BODY"]

import base64
import binascii
import hmac
import ipaddress
import json
import logging
import threading
import time
from typing import Any, Awaitable, Callable

from .backend import Backend
from .errors import BackendError, LabelStudioError

log = logging.getLogger("newstag.backend")
DEFAULT_MAX_BODY = 10 * 1024 * 1024


def _need_serve_extra(exc: ImportError) -> LabelStudioError:
    return LabelStudioError(f"the ML backend needs Starlette and uvicorn ({exc.name} is missing); install them "
                            f"with `pip install 'newstag[serve]'`.")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _authorized(header: str | None, token: str) -> bool:
    if not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme in ("token", "bearer"):
        return hmac.compare_digest(value.encode(), token.encode())
    if scheme == "basic":
        try:
            _, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(password.encode(), token.encode())
    return False


def make_app(backend: Backend, *, token: str | None = None, max_body: int = DEFAULT_MAX_BODY):
    """The Starlette app: ``GET /health`` (and ``/``), ``POST /setup``, ``/predict``, ``/webhook``, ``/train``,
    ``GET /versions``.

    Parameters
    ----------
    backend : the model and its state
    token : required on every request when given
    max_body : largest request body in bytes (a larger one gets 413 before it is read)
    """
    try:
        from starlette.applications import Starlette
        from starlette.concurrency import run_in_threadpool
        from starlette.exceptions import HTTPException
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route
    except ImportError as exc:
        raise _need_serve_extra(exc) from None

    def refuse(status: int, error: str, detail: str) -> JSONResponse:
        log.warning("HTTP %d %s: %s", status, error, detail)
        return JSONResponse({"error": error, "detail": detail}, status_code=status)

    async def body_json(request: Request) -> Any:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_body:
            raise BackendError(f"{request.url.path}: the body has {int(length)} bytes, more than the limit of "
                               f"{max_body}; send fewer tasks per request or raise --max-body-mb.", status=413)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise BackendError(f"{request.url.path}: the body exceeds the limit of {max_body} bytes; send "
                                   f"fewer tasks per request or raise --max-body-mb.", status=413)
            chunks.append(chunk)
        raw = b"".join(chunks)
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            raise BackendError(f"{request.url.path}: the body is not valid JSON ({getattr(exc, 'msg', exc)}"
                               f"{where}); send a JSON object.") from None

    def handler(method: Callable[[Any], dict[str, Any]]) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def endpoint(request: Request) -> JSONResponse:
            payload = await body_json(request)
            return JSONResponse(await run_in_threadpool(method, payload))
        return endpoint

    def getter(method: Callable[[], dict[str, Any]]) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def endpoint(request: Request) -> JSONResponse:
            return JSONResponse(method())
        return endpoint

    async def backend_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BackendError)
        kind = {413: "request too large", 422: "labeling config does not fit the model"}.get(exc.status, "bad request")
        return refuse(exc.status, kind, str(exc))

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return refuse(exc.status_code, exc.detail or "error", f"{request.method} {request.url.path}: the backend "
                      f"answers GET /health, GET /versions, POST /setup, /predict, /webhook and /train.")

    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"error": "internal error", "detail": f"{type(exc).__name__}: {exc}"}, status_code=500)

    routes = [
        Route("/", getter(backend.health), methods=["GET"]),
        Route("/health", getter(backend.health), methods=["GET"]),
        Route("/versions", getter(backend.versions), methods=["GET"]),
        Route("/setup", handler(backend.setup), methods=["POST"]),
        Route("/predict", handler(backend.predict), methods=["POST"]),
        Route("/webhook", handler(backend.webhook), methods=["POST"]),
        Route("/train", handler(backend.train), methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={BackendError: backend_error, HTTPException: http_error,
                                                       Exception: server_error})
    if token is None:
        return app

    async def guarded(scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])
            if not _authorized(headers.get("authorization"), token):
                response = refuse(401, "unauthorized", f"{scope['path']}: this backend needs its token: "
                                  "'Authorization: Token <token>' (or Bearer), or basic auth with the token as "
                                  "the password (Label Studio: Connect model -> Basic Authentication).")
                response.headers["WWW-Authenticate"] = 'Basic realm="newstag"'
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


def _config(backend: Backend, host: str, port: int, token: str | None, max_body: int, log_level: str):
    try:
        import uvicorn
    except ImportError as exc:
        raise _need_serve_extra(exc) from None
    if not is_loopback(host) and not token:
        raise BackendError(f"--host {host} is not a loopback address: anyone who reaches it could read predictions "
                           f"and send annotations. Give a --token (or NEWSTAG_BACKEND_TOKEN), or bind 127.0.0.1.")
    if max_body <= 0:
        raise BackendError(f"the body limit must be a positive number of bytes, got {max_body}.")
    if token is not None and len(token) < 8:
        raise BackendError(f"the backend token has {len(token)} characters; use at least 8 (e.g. from "
                           f"`python -c 'import secrets; print(secrets.token_hex(16))'`).")
    app = make_app(backend, token=token, max_body=max_body)
    return uvicorn, uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off",
                                   access_log=log_level == "debug")


def serve(backend: Backend, *, host: str = "127.0.0.1", port: int = 9090, token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY, log_level: str = "info") -> None:
    """Serve the backend until interrupted (what ``newstag annotate backend`` runs).

    Raises
    ------
    BackendError
        When ``host`` is not a loopback address and there is no token.
    LabelStudioError
        When Starlette or uvicorn is missing (the ``serve`` extra).
    """
    uvicorn, config = _config(backend, host, port, token, max_body, log_level)
    uvicorn.Server(config).run()


class BackendServer:
    """The backend served by uvicorn in a background thread (tests, notebooks); a context manager.

    ``url`` is ``http://HOST:PORT``; :meth:`stop` ends the server and waits for the thread.
    """

    def __init__(self, backend: Backend, *, host: str = "127.0.0.1", port: int | None = None,
                 token: str | None = None, max_body: int = DEFAULT_MAX_BODY, log_level: str = "warning"):
        from .server import free_port

        self.backend = backend
        self.host = host
        self.port = port or free_port(host)
        self._uvicorn, config = _config(backend, host, self.port, token, max_body, log_level)
        self._server = self._uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> "BackendServer":
        self._thread = threading.Thread(target=self._server.run, name="newstag-backend-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise LabelStudioError(f"the ML backend did not start on {self.url} within {timeout:.0f} s "
                                       f"(is the port taken?).")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> "BackendServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
