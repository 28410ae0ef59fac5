"""The cache backend the environment chooses: Redis when REDIS_URL is set, else in-process.

The Redis test talks to the real server on 127.0.0.1:6379. Without one it skips and says
why, unless NEWSROOM_REQUIRE_REDIS is set (CI sets it when it could start Redis).
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.browser import skip_unless_available

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.core.cache import caches; "
    "cache = caches['default']; "
    "cache.set('newsroom-test-key', 'round trip', 30); "
    "print(type(cache).__name__, cache.get('newsroom-test-key')); cache.delete('newsroom-test-key')"
)


def redis_missing() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        return "no Redis server answers on 127.0.0.1:6379"
    return None


def probe(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_redis_url_switches_the_cache_to_the_real_redis():
    skip_unless_available("Redis", redis_missing(), required_by=("NEWSROOM_REQUIRE_REDIS",))
    assert probe(REDIS_URL="redis://127.0.0.1:6379/15") == "RedisCache round trip"


def test_without_redis_url_the_cache_is_in_process():
    assert probe() == "LocMemCache round trip"
