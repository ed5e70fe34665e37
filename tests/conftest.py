"""Fixtures shared by the test files: a local HTTP server standing in for upstream, and one
run of the .test configuration that the workflow and SLURM tests compare their runs with."""

import functools
import http.server
import threading

import pytest
from workflow_runs import run_test_config


@pytest.fixture
def http_folder(tmp_path):
    """Serve a folder over HTTP on 127.0.0.1; yields (folder, base URL)."""
    folder = tmp_path / "upstream"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def local_test_run(tmp_path_factory):
    """The results folder of one local run of the .test configuration (made once per session)."""
    return run_test_config(tmp_path_factory.mktemp("run1"))
