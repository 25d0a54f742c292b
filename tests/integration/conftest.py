"""Fixtures of the integration tests: a real Label Studio server, one per test session.

The server runs from the repository's ``.venv-ls/bin/label-studio`` (``make install-labelstudio``) in its
own data folder under pytest's tmp directory, offline, on 127.0.0.1 and a free port
(:class:`annotation.LabelStudioServer`). The data folder starts as a copy of a migrated template kept in
the repository's ``.cache/label-studio/`` (made once per Label Studio version by ``label-studio init``):
the first session pays the ~40 s of migrations, later ones start in seconds. It may reach services on
127.0.0.1 (``LOCAL_ML_BACKEND_ENV``), so the ML backend tests can connect a backend on loopback. Without the executable
the tests that need it skip with the reason, except in CI (env ``CI`` set), where they fail. When such
a test fails, the tail of the server log is added to its report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
LABEL_STUDIO = ROOT / ".venv-ls" / "bin" / "label-studio"


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """A running Label Studio server (``.url``, ``.token``, ``.log_path``), stopped at session end."""
    from annotation import LabelStudioError, LabelStudioServer
    from annotation.server import LOCAL_ML_BACKEND_ENV, migrated_template

    if not LABEL_STUDIO.is_file():
        reason = (f"{LABEL_STUDIO.relative_to(ROOT)} is absent: install the Label Studio server with "
                  f"`make install-labelstudio`")
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set, so this test must run, not skip.")
        pytest.skip(reason)
    try:
        template = migrated_template(ROOT / ".cache" / "label-studio", executable=LABEL_STUDIO)
        server = LabelStudioServer(tmp_path_factory.mktemp("label-studio"), executable=LABEL_STUDIO,
                                   template=template, startup_timeout=180.0, env=LOCAL_ML_BACKEND_ENV)
        server.start()
    except LabelStudioError as exc:
        pytest.fail(f"Label Studio did not start: {exc}")
    yield server
    server.stop(grace=20.0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and "label_studio" in getattr(item, "fixturenames", ()):
        server = getattr(item, "funcargs", {}).get("label_studio")
        if server is not None:
            report.sections.append((f"Label Studio server log ({server.log_path}, last lines)",
                                    server.log_tail(80)))
