"""Reaching a Chroma server (SHIFU_CHROMA_URL): its address, its database, its version.

The URL is http(s)://host:port, optionally with a database name as its path
(http://host:8000/shifu-plant-a): several programmes, or tests, then share one server, each
in its own Chroma database (created on first use). Before the first client is made the
server must answer and speak the API this client speaks: the same major version. Minor
versions are not compared because Chroma 1.x servers report "1.0.0" whatever the release
(chromadb 1.5.9's `chroma run` does), and every 1.x server speaks the same HTTP API (v2).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from shifu.errors import ConfigError

DEFAULT_DATABASE = "default_database"
_checked: set[str] = set()  # servers whose version this process has checked


@dataclass(frozen=True)
class ChromaAddress:
    """Where a Chroma server is and which of its databases shifu uses."""

    host: str
    port: int
    ssl: bool
    database: str

    @property
    def base(self) -> str:
        return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}"


def parse_address(url: str) -> ChromaAddress:
    """SHIFU_CHROMA_URL as host, port, TLS and database; a ConfigError when it is not such a URL."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"SHIFU_CHROMA_URL={url!r} 不是网址，请写成 http://localhost:8000 或清除它 / "
                          f"SHIFU_CHROMA_URL={url!r} is not a URL; set it like http://localhost:8000 or unset it")
    database = parsed.path.strip("/") or DEFAULT_DATABASE
    if "/" in database:
        raise ConfigError(f"SHIFU_CHROMA_URL={url!r}：路径只能是一个数据库名 / the path may only be one database "
                          "name, like http://localhost:8000/shifu")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    return ChromaAddress(parsed.hostname, port, parsed.scheme == "https", database)


def server_version(address: ChromaAddress) -> str:
    """The version the server reports; a ConfigError when it cannot be reached or is too old to say."""
    try:
        with urllib.request.urlopen(f"{address.base}/api/v2/version", timeout=10) as reply:
            return str(json.loads(reply.read().decode("utf-8")))
    except urllib.error.HTTPError as exc:
        raise ConfigError(f"{address.base} 上的 Chroma 服务没有 v2 接口（HTTP {exc.code}），版本太旧：请升级到 "
                          f"chromadb {_client_version()} / the Chroma server at {address.base} has no v2 API "
                          f"(HTTP {exc.code}): it is too old; upgrade it to chromadb {_client_version()}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError(f"连不上 Chroma 服务 {address.base}（{reason}）：请启动它（chroma run --host 0.0.0.0 "
                          f"--port {address.port} --path 目录）或检查 SHIFU_CHROMA_URL / cannot reach the Chroma "
                          f"server at {address.base} ({reason}): start it (chroma run --host 0.0.0.0 --port "
                          f"{address.port} --path DIR) or check SHIFU_CHROMA_URL") from None


def check_version(address: ChromaAddress) -> None:
    """The server's major version must be this client's (checked once per server per process)."""
    if address.base in _checked:
        return
    server, client = server_version(address), _client_version()
    if server.split(".")[0] != client.split(".")[0]:
        raise ConfigError(f"Chroma 服务 {address.base} 的版本是 {server}，本程序的 chromadb 是 {client}：请让两者的主版本"
                          f"一致（服务端与客户端安装同一个 chromadb）/ the Chroma server at {address.base} is version "
                          f"{server} but this program's chromadb is {client}: run a server of the same major "
                          "version (install the same chromadb on both sides)")
    _checked.add(address.base)


def http_client(url: str, chroma_settings):
    """A client of the server at `url` (version checked), in its database, which is created if new."""
    import chromadb

    address = parse_address(url)
    check_version(address)
    if address.database != DEFAULT_DATABASE:
        _ensure_database(address)
    return chromadb.HttpClient(host=address.host, port=address.port, ssl=address.ssl,
                               database=address.database, settings=chroma_settings)


def _ensure_database(address: ChromaAddress) -> None:
    """Create the URL's database unless it is there (plain HTTP: Chroma's admin client keeps a session open)."""
    databases = f"{address.base}/api/v2/tenants/default_tenant/databases"
    try:
        urllib.request.urlopen(f"{databases}/{address.database}", timeout=10).close()
        return
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise ConfigError(f"Chroma 服务 {address.base} 拒绝了数据库 {address.database!r}（HTTP {exc.code}）/ the Chroma "
                              f"server at {address.base} refused the database {address.database!r} "
                              f"(HTTP {exc.code})") from None
    create = urllib.request.Request(databases, data=json.dumps({"name": address.database}).encode(),
                                    headers={"Content-Type": "application/json"}, method="POST")
    try:
        urllib.request.urlopen(create, timeout=10).close()
    except urllib.error.HTTPError as exc:
        if exc.code != 409:  # 409: another process made it first
            raise ConfigError(f"无法在 {address.base} 创建 Chroma 数据库 {address.database!r}（HTTP {exc.code}）/ cannot "
                              f"create the Chroma database {address.database!r} at {address.base} (HTTP {exc.code}); "
                              "a name is 3-512 letters, digits, '.', '_' or '-'") from None


def _client_version() -> str:
    import chromadb

    return str(chromadb.__version__)
