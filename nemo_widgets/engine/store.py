"""Durable storage for the embedded engine: SQLite (stdlib) plus media files on disk.

Everything the engine accepted survives a restart: tokens (stored as hashes, never in clear),
users and their credit ledger, sessions with their state and event history, uploads, render
jobs. Files are written atomically (temp file in the same folder + ``os.replace``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import queue
import secrets
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_widgets.draft import empty_draft

SCHEMA = """
CREATE TABLE IF NOT EXISTS users(
    user_id TEXT PRIMARY KEY, client_id TEXT UNIQUE, created REAL,
    available INTEGER NOT NULL, frozen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens(
    token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL,
    issued REAL NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_client ON tokens(client_id, issued);
CREATE TABLE IF NOT EXISTS sessions(
    session_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, user_id TEXT NOT NULL,
    language TEXT, task_name TEXT, created REAL, state TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
    session_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY(session_id, seq));
CREATE TABLE IF NOT EXISTS files(
    file_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT, filename TEXT,
    path TEXT NOT NULL, kind TEXT, info TEXT, sha256 TEXT, size INTEGER, created REAL);
CREATE TABLE IF NOT EXISTS jobs(
    id TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT, kind TEXT NOT NULL,
    status TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0, error TEXT,
    params TEXT, result TEXT, created REAL, completed REAL,
    PRIMARY KEY(user_id, id));
CREATE TABLE IF NOT EXISTS history(
    session_id TEXT NOT NULL, seq INTEGER NOT NULL, draft TEXT NOT NULL,
    PRIMARY KEY(session_id, seq));
CREATE TABLE IF NOT EXISTS ledger(
    id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, ref TEXT NOT NULL,
    kind TEXT NOT NULL, amount INTEGER NOT NULL, ts REAL NOT NULL);
"""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CreditsExhausted(Exception):
    def __init__(self, user_id: str, needed: int, available: int) -> None:
        super().__init__(f"needs {needed} credits, {available} available")
        self.user_id, self.needed, self.available = user_id, needed, available


#: What a full disk (or a per-file size limit, or a quota) looks like when a write fails.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class DiskFull(OSError):
    """Not enough free space where the engine keeps its data; nothing stored was changed."""

    def __init__(self, free_bytes: int) -> None:
        super().__init__(
            errno.ENOSPC,
            f"the engine's disk is full ({free_bytes // (1024 * 1024)} MB free where it keeps "
            "its data): delete old renders or free some space, then try again — nothing "
            "already stored was changed",
        )
        self.free_bytes = free_bytes

    def __str__(self) -> str:
        return str(self.strerror)


def is_disk_full(e: BaseException) -> bool:
    """Whether ``e`` is a write that failed for want of space (OS, SQLite or FFmpeg)."""
    if isinstance(e, OSError) and e.errno in _DISK_ERRNOS:
        return True
    if isinstance(e, sqlite3.OperationalError):
        return "full" in str(e)
    return "No space left on device" in str(e)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    user_id: str
    client_id: str
    expires: float


@dataclass(frozen=True, slots=True)
class FileRecord:
    file_id: str
    user_id: str
    session_id: str | None
    filename: str
    path: Path
    kind: str
    info: dict[str, Any]
    sha256: str
    size: int


class Store:
    """Thread-safe access to the engine's SQLite database and media folders."""

    def __init__(self, data_dir: str | os.PathLike[str], reserve_bytes: int = 0) -> None:
        self.root = Path(data_dir)
        #: Free space kept in hand: uploads and renders that would eat into it are refused, so
        #: the database and the files already stored can always be written.
        self.reserve_bytes = reserve_bytes
        self.files_dir = self.root / "files"
        self.renders_dir = self.root / "renders"
        self.tmp_dir = self.root / "tmp"
        for d in (self.root, self.files_dir, self.renders_dir, self.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.root / "engine.sqlite3", check_same_thread=False, isolation_level=None, timeout=30
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self.secret = self._load_secret()
        #: Connections for reads, one per reading thread at a time (WAL: they never wait for
        #: a write in progress, and see every committed one).
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._all_readers: list[sqlite3.Connection] = []
        self._closed = False
        # Leftovers of writes that were interrupted are never served: they live only in tmp/.
        for leftover in self.tmp_dir.iterdir():
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _load_secret(self) -> bytes:
        path = self.root / "secret.key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        return path.read_bytes()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for db in self._all_readers:
                db.close()
            self._db.close()

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        db = None
        with contextlib.suppress(queue.Empty):
            db = self._readers.get_nowait()
        if db is None:
            db = sqlite3.connect(
                self.root / "engine.sqlite3",
                check_same_thread=False,
                isolation_level=None,
                timeout=30,
            )
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA query_only=ON")
            with self._lock:
                if self._closed:
                    db.close()
                    raise sqlite3.ProgrammingError("the store is closed")
                self._all_readers.append(db)
        try:
            yield db
        finally:
            self._readers.put(db)

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._reader() as db:
            return db.execute(sql, args).fetchone()

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._reader() as db:
            return db.execute(sql, args).fetchall()

    # -- tokens and users ----------------------------------------------------------------
    def last_token_issued(self, client_id: str) -> tuple[float, float] | None:
        row = self._one(
            "SELECT issued, expires FROM tokens WHERE client_id=? ORDER BY issued DESC LIMIT 1",
            client_id,
        )
        return (row["issued"], row["expires"]) if row else None

    def issue_token(
        self, client_id: str, ttl: float, initial_credits: int
    ) -> tuple[str, str, float, int]:
        """A new token for ``client_id``; the user (and their sessions) stay the same."""
        token = "nmv_usr_" + secrets.token_urlsafe(32)
        now = time.time()
        with self.tx() as db:
            row = db.execute(
                "SELECT user_id, available FROM users WHERE client_id=?", (client_id,)
            ).fetchone()
            if row is None:
                user_id = "anon_" + uuid.uuid4().hex[:16]
                db.execute(
                    "INSERT INTO users(user_id, client_id, created, available) VALUES(?,?,?,?)",
                    (user_id, client_id, now, initial_credits),
                )
                db.execute(
                    "INSERT INTO ledger(user_id, ref, kind, amount, ts) VALUES(?,?,?,?,?)",
                    (user_id, "signup", "grant", initial_credits, now),
                )
                credits = initial_credits
            else:
                user_id, credits = row["user_id"], row["available"]
            db.execute(
                "INSERT INTO tokens VALUES(?,?,?,?,?)",
                (token_hash(token), user_id, client_id, now, now + ttl),
            )
        return token, user_id, now + ttl, credits

    def lookup_token(self, token: str) -> TokenInfo | None:
        row = self._one(
            "SELECT user_id, client_id, expires FROM tokens WHERE token_hash=?", token_hash(token)
        )
        return TokenInfo(row["user_id"], row["client_id"], row["expires"]) if row else None

    def expire_token(self, token: str) -> None:
        """Make a token expire now (tests and admin use)."""
        with self.tx() as db:
            db.execute(
                "UPDATE tokens SET expires=? WHERE token_hash=?",
                (time.time() - 1, token_hash(token)),
            )

    # -- credits -------------------------------------------------------------------------
    def balance(self, user_id: str) -> dict[str, int]:
        row = self._one("SELECT available, frozen FROM users WHERE user_id=?", user_id)
        if row is None:
            return {"available": 0, "frozen": 0, "total": 0}
        a, f = row["available"], row["frozen"]
        return {"available": a, "frozen": f, "total": a + f}

    def set_credits(self, user_id: str, available: int) -> None:
        with self.tx() as db:
            db.execute("UPDATE users SET available=? WHERE user_id=?", (available, user_id))
            db.execute(
                "INSERT INTO ledger(user_id, ref, kind, amount, ts) VALUES(?,?,?,?,?)",
                (user_id, "admin", "set", available, time.time()),
            )

    def reserve(self, user_id: str, amount: int, ref: str) -> None:
        """Move ``amount`` from available to frozen, or raise :class:`CreditsExhausted`."""
        with self.tx() as db:
            row = db.execute("SELECT available FROM users WHERE user_id=?", (user_id,)).fetchone()
            available = row["available"] if row else 0
            if available < amount:
                raise CreditsExhausted(user_id, amount, available)
            db.execute(
                "UPDATE users SET available=available-?, frozen=frozen+? WHERE user_id=?",
                (amount, amount, user_id),
            )
            db.execute(
                "INSERT INTO ledger(user_id, ref, kind, amount, ts) VALUES(?,?,?,?,?)",
                (user_id, ref, "reserve", amount, time.time()),
            )

    def settle(self, user_id: str, ref: str, consume: bool) -> None:
        """Consume (work done) or release (work failed) what ``ref`` reserved. Idempotent."""
        with self.tx() as db:
            rows = db.execute(
                "SELECT kind, amount FROM ledger WHERE user_id=? AND ref=?", (user_id, ref)
            ).fetchall()
            if not rows or any(r["kind"] in ("consume", "release") for r in rows):
                return
            amount = sum(r["amount"] for r in rows if r["kind"] == "reserve")
            if consume:
                db.execute("UPDATE users SET frozen=frozen-? WHERE user_id=?", (amount, user_id))
            else:
                db.execute(
                    "UPDATE users SET frozen=frozen-?, available=available+? WHERE user_id=?",
                    (amount, amount, user_id),
                )
            db.execute(
                "INSERT INTO ledger(user_id, ref, kind, amount, ts) VALUES(?,?,?,?,?)",
                (user_id, ref, "consume" if consume else "release", amount, time.time()),
            )

    def open_reservations(self) -> list[tuple[str, str]]:
        rows = self._all(
            "SELECT user_id, ref FROM ledger GROUP BY user_id, ref "
            "HAVING SUM(kind='reserve')>0 AND SUM(kind IN ('consume','release'))=0"
        )
        return [(r["user_id"], r["ref"]) for r in rows]

    # -- sessions and state --------------------------------------------------------------
    def create_session(self, user_id: str, language: str, task_name: str) -> tuple[str, str]:
        # Opaque numeric-looking ids, like the hosted service's.
        session_id = str(secrets.randbelow(9 * 10**18) + 10**18)
        task_id = "task_" + uuid.uuid4().hex[:20]
        state = {
            "draft": empty_draft(title=task_name),
            "video_infos": [],
            "generated_media": [],
            "canvas_config": {"width": 1920, "height": 1080, "fps": 30},
            "video_analyses": {},
        }
        with self.tx() as db:
            db.execute(
                "INSERT INTO sessions VALUES(?,?,?,?,?,?,?,?)",
                (
                    session_id,
                    task_id,
                    user_id,
                    language,
                    task_name,
                    time.time(),
                    json.dumps(state),
                    0,
                ),
            )
        return session_id, task_id

    def session(self, session_id: str, user_id: str) -> sqlite3.Row | None:
        """The session if it exists *and* belongs to ``user_id`` (else None: isolation)."""
        return self._one(
            "SELECT * FROM sessions WHERE session_id=? AND user_id=?", session_id, user_id
        )

    def state(self, session_id: str) -> dict[str, Any]:
        row = self._one("SELECT state FROM sessions WHERE session_id=?", session_id)
        return json.loads(row["state"]) if row else {}

    def update_state(
        self, session_id: str, fn: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> dict[str, Any]:
        """Apply ``fn`` to the state atomically; ``fn`` mutates in place or returns a new one."""
        with self.tx() as db:
            row = db.execute(
                "SELECT state FROM sessions WHERE session_id=?", (session_id,)
            ).fetchone()
            if row is None:
                raise KeyError(session_id)
            state = json.loads(row["state"])
            new = fn(state)
            state = state if new is None else new
            db.execute(
                "UPDATE sessions SET state=?, version=version+1 WHERE session_id=?",
                (json.dumps(state, ensure_ascii=False), session_id),
            )
        return state

    def add_event(self, session_id: str, event: dict[str, Any]) -> None:
        with self.tx() as db:
            seq = db.execute(
                "SELECT COALESCE(MAX(seq), 0)+1 FROM events WHERE session_id=?", (session_id,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO events VALUES(?,?,?)",
                (session_id, seq, json.dumps(event, ensure_ascii=False)),
            )

    def events(self, session_id: str) -> list[dict[str, Any]]:
        return [
            json.loads(r["event"])
            for r in self._all(
                "SELECT event FROM events WHERE session_id=? ORDER BY seq", session_id
            )
        ]

    def push_history(self, session_id: str, draft: Any, keep: int = 50) -> None:
        """Remember a draft before an edit (for undo); keeps the last ``keep``."""
        with self.tx() as db:
            seq = db.execute(
                "SELECT COALESCE(MAX(seq), 0)+1 FROM history WHERE session_id=?", (session_id,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO history VALUES(?,?,?)",
                (session_id, seq, json.dumps(draft, ensure_ascii=False)),
            )
            db.execute(
                "DELETE FROM history WHERE session_id=? AND seq<=?", (session_id, seq - keep)
            )

    def peek_history(self, session_id: str, n: int = 5) -> list[Any]:
        """The last ``n`` drafts an undo would bring back, newest first (nothing removed)."""
        with self.tx() as db:
            rows = db.execute(
                "SELECT draft FROM history WHERE session_id=? ORDER BY seq DESC LIMIT ?",
                (session_id, n),
            ).fetchall()
        return [json.loads(r["draft"]) for r in rows]

    def pop_history(self, session_id: str) -> Any:
        with self.tx() as db:
            row = db.execute(
                "SELECT seq, draft FROM history WHERE session_id=? ORDER BY seq DESC LIMIT 1",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM history WHERE session_id=? AND seq=?", (session_id, row["seq"]))
        return json.loads(row["draft"])

    # -- files ---------------------------------------------------------------------------
    def tmp_path(self, suffix: str = "") -> Path:
        return self.tmp_dir / f"{uuid.uuid4().hex}{suffix}"

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free

    def disk_full(self, e: BaseException) -> DiskFull | None:
        """``e`` as the :class:`DiskFull` that says how much space is left, if it is a write
        that failed for want of space; else None."""
        if isinstance(e, DiskFull):
            return e
        return DiskFull(self.free_bytes()) if is_disk_full(e) else None

    def ensure_space(self, incoming: int = 0) -> None:
        """Raise :class:`DiskFull` unless ``incoming`` more bytes leave the reserve free."""
        free = self.free_bytes()
        if free - incoming < self.reserve_bytes:
            raise DiskFull(free)

    def add_file(
        self,
        tmp: Path,
        *,
        user_id: str,
        session_id: str | None,
        filename: str,
        kind: str,
        info: dict[str, Any],
        sha256: str,
        ext: str,
    ) -> FileRecord:
        """Move a finished temp file into place (atomic rename) and record it."""
        file_id = "f_" + uuid.uuid4().hex[:20]
        dest = self.files_dir / f"{file_id}{ext}"
        size = tmp.stat().st_size
        os.replace(tmp, dest)
        with self.tx() as db:
            db.execute(
                "INSERT INTO files VALUES(?,?,?,?,?,?,?,?,?,?)",
                (
                    file_id,
                    user_id,
                    session_id,
                    filename,
                    dest.name,
                    kind,
                    json.dumps(info),
                    sha256,
                    size,
                    time.time(),
                ),
            )
        return FileRecord(file_id, user_id, session_id, filename, dest, kind, info, sha256, size)

    def file(self, file_id: str, user_id: str | None = None) -> FileRecord | None:
        row = self._one("SELECT * FROM files WHERE file_id=?", file_id)
        if row is None or (user_id is not None and row["user_id"] != user_id):
            return None
        base = self.renders_dir if row["kind"] == "render" else self.files_dir
        return FileRecord(
            row["file_id"],
            row["user_id"],
            row["session_id"],
            row["filename"],
            base / row["path"],
            row["kind"],
            json.loads(row["info"] or "{}"),
            row["sha256"] or "",
            row["size"] or 0,
        )

    def register_output(
        self,
        path: Path,
        *,
        user_id: str,
        session_id: str | None,
        filename: str,
        kind: str,
        info: dict[str, Any],
    ) -> FileRecord:
        """Record a finished output file that already lies in renders/ or files/."""
        file_id = "f_" + uuid.uuid4().hex[:20]
        size = path.stat().st_size
        with self.tx() as db:
            db.execute(
                "INSERT INTO files VALUES(?,?,?,?,?,?,?,?,?,?)",
                (
                    file_id,
                    user_id,
                    session_id,
                    filename,
                    path.name,
                    kind,
                    json.dumps(info),
                    "",
                    size,
                    time.time(),
                ),
            )
        base = self.renders_dir if kind == "render" else self.files_dir
        return FileRecord(
            file_id, user_id, session_id, filename, base / path.name, kind, info, "", size
        )

    # -- jobs ----------------------------------------------------------------------------
    def create_job(
        self, job_id: str, user_id: str, session_id: str | None, kind: str, params: dict[str, Any]
    ) -> bool:
        """False when ``job_id`` already exists for this user (duplicate render id)."""
        try:
            with self.tx() as db:
                db.execute(
                    "INSERT INTO jobs(id, user_id, session_id, kind, status, progress, "
                    "params, created) VALUES(?,?,?,?,?,?,?,?)",
                    (
                        job_id,
                        user_id,
                        session_id,
                        kind,
                        "pending",
                        0,
                        json.dumps(params),
                        time.time(),
                    ),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def job(self, job_id: str, user_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM jobs WHERE id=? AND user_id=?", job_id, user_id)
        return _job_dict(row) if row else None

    def update_job(self, job_id: str, user_id: str, **fields: Any) -> None:
        if "result" in fields and not isinstance(fields["result"], str | None):
            fields["result"] = json.dumps(fields["result"])
        cols = ", ".join(f"{k}=?" for k in fields)
        with self.tx() as db:
            db.execute(
                f"UPDATE jobs SET {cols} WHERE id=? AND user_id=?",
                (*fields.values(), job_id, user_id),
            )

    def unfinished_jobs(self) -> list[dict[str, Any]]:
        return [
            _job_dict(r)
            for r in self._all("SELECT * FROM jobs WHERE status IN ('pending','processing')")
        ]


def _job_dict(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["params"] = json.loads(d["params"] or "{}")
    d["result"] = json.loads(d["result"]) if d["result"] else None
    return d


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
