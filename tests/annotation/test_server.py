"""The Label Studio server wrapper, driven with small stand-in executables (real processes, real HTTP).

The real server is exercised by tests/integration/test_label_studio.py.
"""

from __future__ import annotations

import json
import socket
import sys
import textwrap

import pytest

from annotation import LabelStudioError, LabelStudioServer, find_label_studio
from annotation.server import free_port, label_studio_version, migrated_template, server_env

FAKE_SERVER = textwrap.dedent('''\
    import json, os, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer
    args = sys.argv[1:]
    port, host = int(args[args.index("--port") + 1]), args[args.index("--internal-host") + 1]
    data = args[args.index("--data-dir") + 1]
    with open(os.path.join(data, "fake.json"), "w") as fh:
        json.dump({"argv": args, "env": dict(os.environ)}, fh)
    MODE = os.environ.get("FAKE_MODE", "")
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            print("request", self.path, flush=True)
        def do_GET(self):
            if self.path == "/health":
                body, code = b'{"status": "UP"}', 200
            elif self.path.startswith("/api/current-user/whoami"):
                ok = self.headers.get("Authorization") == "Token " + os.environ["LABEL_STUDIO_USER_TOKEN"]
                body, code = (b'{"id": 1}', 200) if ok and MODE != "bad-token" else (b'{"detail": "no"}', 401)
            else:
                body, code = b"{}", 404
            self.send_response(code); self.end_headers(); self.wfile.write(body)
    print("fake label studio on", host, port, flush=True)
    HTTPServer((host, port), H).serve_forever()
''')


def fake_executable(tmp_path, body: str, folder: str = "bin"):
    path = tmp_path / folder / "label-studio"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_the_server_environment_strips_unprefixed_and_inherited_variables(tmp_path):
    base = {"USERNAME": "me", "PASSWORD": "p", "HOST": "0.0.0.0", "PORT": "80", "USER_TOKEN": "t", "DEBUG": "1",
            "LABEL_STUDIO_HOST": "http://elsewhere", "PATH": "/bin"}
    env = server_env(base, tmp_path, username="a@b.c", password="pw", token="tok123")
    assert not {"USERNAME", "PASSWORD", "HOST", "PORT", "USER_TOKEN", "DEBUG", "LABEL_STUDIO_HOST"} & set(env)
    assert env["PATH"] == "/bin" and env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path)
    assert env["XDG_CONFIG_HOME"] == str(tmp_path / ".xdg-config")
    assert (env["LABEL_STUDIO_USERNAME"], env["LABEL_STUDIO_USER_TOKEN"]) == ("a@b.c", "tok123")
    assert env["LABEL_STUDIO_COLLECT_ANALYTICS"] == "false" and env["SENTRY_DSN"] == ""
    assert "LABEL_STUDIO_USERNAME" not in server_env(base, tmp_path)


def test_a_free_port_can_be_bound_on_loopback():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_the_executable_is_found_from_the_environment_variable(tmp_path, monkeypatch):
    exe = fake_executable(tmp_path, "")
    monkeypatch.setenv("NEWSTAG_LABEL_STUDIO", str(exe))
    assert find_label_studio() == exe
    monkeypatch.setenv("NEWSTAG_LABEL_STUDIO", str(tmp_path / "missing"))
    assert find_label_studio() is None


def test_a_missing_executable_is_an_error_that_says_how_to_install(tmp_path):
    server = LabelStudioServer(tmp_path / "d", executable=tmp_path / "nope")
    with pytest.raises(LabelStudioError, match=r"no label-studio executable.*make install-labelstudio"):
        server.start()


def test_the_server_starts_on_loopback_with_its_own_environment_and_stops(tmp_path, monkeypatch):
    monkeypatch.setenv("USERNAME", "someone")
    monkeypatch.setenv("PORT", "1")
    exe = fake_executable(tmp_path, FAKE_SERVER)
    with LabelStudioServer(tmp_path / "d", executable=exe, startup_timeout=30) as server:
        assert server.running and server.url == f"http://127.0.0.1:{server.port}"
        seen = json.loads((tmp_path / "d" / "fake.json").read_text())
        proc = server._proc
    assert seen["argv"] == ["start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(server.port),
                            "--data-dir", str(tmp_path / "d")]
    assert "USERNAME" not in seen["env"] and "PORT" not in seen["env"]
    assert seen["env"]["LABEL_STUDIO_USER_TOKEN"] == server.token and len(server.token) == 32
    assert not server.running and proc.returncode is not None
    assert "fake label studio on 127.0.0.1" in server.log_tail()
    stored = json.loads((tmp_path / "d" / "newstag-server.json").read_text())
    assert stored["token"] == server.token
    again = LabelStudioServer(tmp_path / "d", executable=exe)
    again.start()
    try:
        assert again.token == server.token  # the stored token is reused
    finally:
        again.stop()


def test_a_token_other_than_the_stored_one_is_an_error_that_shows_neither_token(tmp_path):
    exe = fake_executable(tmp_path, FAKE_SERVER)
    LabelStudioServer(tmp_path / "d", executable=exe, token="first-token").start().stop()
    with pytest.raises(LabelStudioError, match=r"was created with token another value than the one given") as info:
        LabelStudioServer(tmp_path / "d", executable=exe, token="other-token").start()
    assert "first-token" not in str(info.value) and "other-token" not in str(info.value)


def test_the_data_folder_is_private_and_the_credentials_file_0600_whatever_the_umask(tmp_path):
    import os
    import stat

    exe = fake_executable(tmp_path, FAKE_SERVER)
    old = os.umask(0o002)  # a permissive umask: group-writable, world-readable
    try:
        with LabelStudioServer(tmp_path / "ls-data", executable=exe, startup_timeout=30):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "ls-data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "ls-data" / "newstag-server.json").stat().st_mode) == 0o600


def test_the_server_log_tail_in_an_error_never_shows_the_token_or_password(tmp_path):
    exe = fake_executable(tmp_path, "import os, sys\nprint('token', os.environ['LABEL_STUDIO_USER_TOKEN'], "
                                    "os.environ.get('LABEL_STUDIO_PASSWORD'), flush=True)\nsys.exit(3)\n")
    with pytest.raises(LabelStudioError, match=r"exited with code 3(?s:.*)token \*\*\*") as info:
        LabelStudioServer(tmp_path / "d", executable=exe, token="secret-token-1", password="pw-secret-2",
                          startup_timeout=30).start()
    assert "secret-token-1" not in str(info.value) and "pw-secret-2" not in str(info.value)


def test_a_refused_token_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_MODE", "bad-token")
    server = LabelStudioServer(tmp_path / "d", executable=fake_executable(tmp_path, FAKE_SERVER), startup_timeout=30)
    with pytest.raises(LabelStudioError, match=r"refused the API token \(HTTP 401"):
        server.start()
    assert not server.running


def test_a_server_that_exits_is_an_error_with_the_log_tail(tmp_path):
    exe = fake_executable(tmp_path, "import sys\nprint('migrations failed: disk full', flush=True)\nsys.exit(3)\n")
    with pytest.raises(LabelStudioError, match=r"exited with code 3(?s:.*)migrations failed: disk full"):
        LabelStudioServer(tmp_path / "d", executable=exe, startup_timeout=30).start()


def test_a_server_that_never_answers_is_stopped_after_the_timeout(tmp_path):
    exe = fake_executable(tmp_path, "import time\nprint('starting', flush=True)\ntime.sleep(600)\n")
    server = LabelStudioServer(tmp_path / "d", executable=exe, startup_timeout=2)
    with pytest.raises(LabelStudioError, match=r"did not answer http://127.0.0.1:\d+/health within 2 s(?s:.*)starting"):
        server.start()
    assert not server.running


def test_a_short_token_is_an_error(tmp_path):
    exe = fake_executable(tmp_path, FAKE_SERVER)
    with pytest.raises(LabelStudioError, match=r"token must have 6 to 40 characters, got 3"):
        LabelStudioServer(tmp_path / "d", executable=exe, token="abc").start()


def test_the_migrated_template_is_made_once_and_copied_into_new_data_folders(tmp_path):
    exe = fake_executable(tmp_path, textwrap.dedent('''\
        import os, sys
        d = sys.argv[sys.argv.index("--data-dir") + 1]
        assert sys.argv[1:3] == ["init", "-q"] and "LABEL_STUDIO_USERNAME" not in os.environ
        open(os.path.join(d, "label_studio.sqlite3"), "w").write("db")
        with open(os.path.join(os.path.dirname(__file__), "runs"), "a") as fh:
            fh.write("x")
    '''))
    first = migrated_template(tmp_path / "cache", executable=exe)
    second = migrated_template(tmp_path / "cache", executable=exe)
    assert first == second == tmp_path / "cache" / "template-unknown" and (tmp_path / "bin" / "runs").read_text() == "x"
    assert (first / "label_studio.sqlite3").read_text() == "db"
    server = LabelStudioServer(tmp_path / "d", executable=fake_executable(tmp_path, FAKE_SERVER, "server-bin"),
                               template=first, startup_timeout=30)
    with server:
        assert (tmp_path / "d" / "label_studio.sqlite3").read_text() == "db"
    assert not (tmp_path / "d" / ".complete").exists()


def test_a_failing_migration_is_an_error_with_its_output(tmp_path):
    exe = fake_executable(tmp_path, "import sys\nprint('no such table', flush=True)\nsys.exit(1)\n")
    with pytest.raises(LabelStudioError, match=r"`label-studio init` failed \(exit 1\)(?s:.*)no such table"):
        migrated_template(tmp_path / "cache", executable=exe)
    assert not any((tmp_path / "cache").iterdir())


def test_the_version_comes_from_the_installed_dist_info(tmp_path):
    venv = tmp_path / "venv"
    (venv / "lib" / "python3.11" / "site-packages" / "label_studio-1.23.2.dist-info").mkdir(parents=True)
    (venv / "bin").mkdir()
    assert label_studio_version(venv / "bin" / "label-studio") == "1.23.2"
