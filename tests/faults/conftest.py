"""A private redis-server to stop and start, and the cache and Celery pointed at it.

Each test gets its own redis-server on a free port (no persistence), started and stopped as a
subprocess: stopping it is the fault under test. The binary must be on PATH; without it the
tests that need it are skipped.
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import kombu.pools
import pytest
import redis

from fii.celery import app as celery_app

REDIS_SERVER = shutil.which("redis-server")
READY_SECONDS = 10.0

needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="no redis-server on PATH")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class RedisServer:
    """One redis-server process on a port of its own, which a test stops and starts again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir = tempfile.mkdtemp(prefix="fii-faults-redis-")

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=1)

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        command = [
            REDIS_SERVER or "redis-server",
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.workdir),
            *("--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for(self.answers, what="redis-server to answer", timeout=READY_SECONDS)

    def stop(self) -> None:
        """Kill the server, as a crash or `docker stop` would; its data is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server dies too
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """Stop the server without closing its port: connections hang, as on a partition."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip("no redis-server on PATH")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_cache(settings, redis_server: RedisServer) -> RedisServer:  # type: ignore[no-untyped-def]
    """Point the default cache at the private Redis, with the production options."""
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_SECONDS": 5}
    settings.CACHES = {
        "default": {
            "BACKEND": "fii.cache.FailSoftRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": options,
        },
        "sessions": {
            "BACKEND": "fii.cache.FailSoftRedisCache",
            "LOCATION": redis_server.url.replace("/0", "/1"),
            "OPTIONS": {**options, "CLEAR_AFTER_OUTAGE": True},
        },
    }
    return redis_server


def _reset_producers() -> None:
    """Forget every broker connection, so the next task is sent with the current settings."""
    kombu.pools.reset()  # closes kombu's shared pools and empties their registry
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """Send tasks to the private Redis instead of running them in-process (production mode)."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}
    conf.broker_url = redis_server.url
    conf.task_always_eager = False
    _reset_producers()
    try:
        yield redis_server
    finally:
        conf.update(saved)
        _reset_producers()


def queued_tasks(server: RedisServer) -> list[tuple[str, list[Any]]]:
    """Take every message off the 'celery' queue; return (task name, args) in sending order."""
    client = server.client()
    tasks = []
    while (raw := client.rpop("celery")) is not None:
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args))
    return tasks


def run_queued_tasks(server: RedisServer) -> list[tuple[str, list[Any]]]:
    """Run the queued tasks in this process, in order, as a worker would; return them."""
    tasks = queued_tasks(server)
    for name, args in tasks:
        celery_app.tasks[name].apply(args=args, throw=True)
    return tasks
