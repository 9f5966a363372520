"""Every task through a real OpenAI-compatible server: llama-cpp-python's, serving the bundled GGUF.

Real HTTP, inspect's real ``openai-api`` client, ``structured=auto`` (this server refuses
``json_schema``, so the first structured call falls back to ``json_object``). The servers are
started on free ports of 127.0.0.1 by a session fixture and stopped at the end; startup is bounded.
"""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog

from pluralbench.model import bundled_smollm2_path

pytestmark = [pytest.mark.local_model, pytest.mark.slow]

STARTUP_SECONDS = 60
SERVICE = "LLAMACPP"
"""inspect reads ``<SERVICE>_BASE_URL`` and ``<SERVICE>_API_KEY`` for ``openai-api/<service>/<model>``.

Each server gets its own service name (``LLAMACPP8192``...): inspect memoizes a model by name, so
one name for two servers would send every call to the first server started."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(n_ctx: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_smollm2_path()), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", str(n_ctx), "--verbose", "false", "--seed", "0",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited with {process.returncode}: {log.read_text()[-500:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"llama.cpp server did not answer within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[int], str]]:
    """Start (once per context size) a llama.cpp server; return its base URL for a context size."""
    started: dict[int, tuple[subprocess.Popen[bytes], str]] = {}
    logs = tmp_path_factory.mktemp("servers")

    def url(n_ctx: int) -> str:
        if n_ctx not in started:
            started[n_ctx] = _start_server(n_ctx, logs / f"server-{n_ctx}.log")
        return started[n_ctx][1]

    yield url
    for process, _ in started.values():
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _run(task: str, n_ctx: int, url: str, log_dir: Path, limit: int, **task_args: Any) -> EvalLog:
    service = f"{SERVICE}{n_ctx}"
    os.environ[f"{service}_BASE_URL"] = url
    os.environ[f"{service}_API_KEY"] = "none"
    model = f"openai-api/{service.lower()}/smollm2"
    [log] = eval(
        f"pluralbench/{task}",
        model=model,
        model_roles={"critic": model, "judge": model},
        task_args={"structured": "auto", **task_args},
        limit=limit,
        log_dir=str(log_dir),
        display="none",
        max_retries=2,
        timeout=300,
        max_tokens=400,  # the server generates to the context's end otherwise; SmolLM2 rambles
    )
    return log


TASKS: list[tuple[str, int, dict[str, Any]]] = [
    ("persona", 2, {"identify_k": 2}),
    ("persona_loo", 2, {"attributes": "age"}),
    ("persona_intersectionality", 2, {}),
    ("persona_pass_at_k", 1, {"k": 2}),
    ("persona_preference", 2, {}),
    ("persona_group", 1, {"m": 2}),
    ("steerability", 2, {"statements_per_call": 2}),
    ("alignment_targets", 1, {}),
]


@pytest.mark.parametrize(("task", "limit", "options"), TASKS, ids=[t for t, _, _ in TASKS])
def test_task_runs_through_the_server_with_structured_auto(
    task: str, limit: int, options: dict[str, Any], server_url: Callable[[int], str], log_dir: Path
) -> None:
    log = _run(task, 8192, server_url(8192), log_dir, limit, **options)
    assert log.status == "success", log.error
    samples = log.samples or []
    assert samples and not [s.error for s in samples if s.error]
    reasons = [
        f"{score.reason} {score.explanation}"
        for sample in samples
        for score in (sample.scores or {}).values()
        if isinstance(score.value, float) and math.isnan(score.value)
    ]
    # The judge's and the evaluated model's structured replies were readable through the server.
    assert not [r for r in reasons if "json" in r.lower() or "context" in r.lower()], reasons


def test_a_prompt_over_the_server_context_is_unscored_context_overflow(
    server_url: Callable[[int], str], log_dir: Path
) -> None:
    # Alignment prompts are about 7,200 tokens: over a server context of 2,048 (the server default).
    log = _run("alignment_targets", 2048, server_url(2048), log_dir, 1)
    [sample] = log.samples or []
    assert sample.error is None
    scores = list((sample.scores or {}).values())
    assert "context_overflow" in [score.reason for score in scores], [score.explanation for score in scores]
    assert not any("invalid JSON" in (score.explanation or "") for score in scores)
