"""The client against the real engine on loopback; MockTransport only for hosted-only shapes."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import time
from pathlib import Path

import httpx
import pytest

from nemo_widgets.client import (
    AgentRunError,
    AsyncNemoClient,
    AuthError,
    BadRequest,
    ExportBlocked,
    FileTooLarge,
    Heartbeat,
    Identity,
    InsufficientCredits,
    NemoClient,
    RateLimited,
    RenderFailed,
    SessionNotFound,
    Settings,
    StateChange,
    TextDelta,
    ToolCall,
    ToolResult,
    UnsupportedFile,
)
from nemo_widgets.client import _base as base
from nemo_widgets.client._auth import detect_language, detect_platform, mask
from nemo_widgets.engine import start
from nemo_widgets.synth import frame_at

pytestmark = pytest.mark.usefixtures("isolated_config")


def fast() -> Settings:
    return Settings(rate_limit_wait=0, poll_initial=0.05, initial_backoff=0.01, recover_timeout=20)


@pytest.fixture()
def client(engine):
    c = NemoClient(engine.base_url, settings=fast())
    yield c
    c.close()


def test_full_flow_sync(client: NemoClient, clip: Path, tmp_path: Path) -> None:
    s = client.create_session(language="en")
    seen: list[tuple[int, int]] = []
    up = s.upload(clip, on_progress=lambda a, b: seen.append((a, b)))
    assert up[0].file_type == "video" and up[0].width == 640
    assert seen[-1] == (clip.stat().st_size, clip.stat().st_size)
    stream = s.send("add the title 'Urban Dreams' for 2 seconds")
    events = list(stream)
    kinds = [type(e) for e in events]
    assert kinds[0] is ToolCall and ToolResult in kinds and StateChange in kinds
    assert kinds[-1] is TextDelta
    result = stream.until_done()
    assert result.text == 'Added the title "Urban Dreams" from 0 to 2 s.'
    assert result.changes == ['added Title: "Urban Dreams" (0-2s)']
    assert not result.silent and not result.recovered
    assert (
        s.summary() == 'Timeline (2 tracks): 1. Video: clip (0-4s) 2. Title: "Urban Dreams" (0-2s)'
    )
    assert list(s.timeline["kind"]) == ["video", "text"]
    progress: list[int] = []
    res = s.export(download_to=tmp_path, on_progress=lambda st: progress.append(st.progress))
    assert res.path is not None and res.path.suffix == ".mp4" and res.path.parent == tmp_path
    assert progress[-1] == 100 and res.preview_url
    assert not list(tmp_path.glob(".*.part"))
    frame = frame_at(res.path, 1.0)
    assert frame.shape == (360, 640, 3)


def test_full_flow_async(engine, clip: Path, tmp_path: Path) -> None:
    async def main() -> None:
        async with AsyncNemoClient(engine.base_url, settings=fast()) as c:
            s = await c.create_session()
            await s.upload(clip)
            texts = [t async for t in s.send("make it 1:1").text_stream]
            assert texts == ["Changed the aspect ratio to 1:1, fitted with bars."]
            r = await s.say("undo")
            assert r.text.startswith("Undid")
            res = await s.export(download_to=tmp_path / "x.mp4", quality="low")
            assert res.path == tmp_path / "x.mp4" and res.path.stat().st_size > 1000
            assert (await c.credits()).available == 98

    asyncio.run(main())


def test_expired_token_is_renewed_with_same_client_id(engine, client: NemoClient) -> None:
    client.credits()
    old = client._token
    cid = client.identity.client_id()
    engine.engine.store.expire_token(old)
    assert client.credits().available == 100  # retried once with a new token
    assert client._token != old
    assert client.identity.client_id() == cid
    assert client.identity.cached_token(client.base_url, cid) == client._token


def test_given_token_is_never_replaced(engine, client: NemoClient, monkeypatch) -> None:
    client.credits()
    token = client._token
    engine.engine.store.expire_token(token)
    monkeypatch.setenv("NEMO_TOKEN", token)
    c2 = NemoClient(engine.base_url, settings=fast())
    with pytest.raises(AuthError) as err:
        c2.credits()
    assert "NEMO_TOKEN" in str(err.value) and token not in str(err.value)
    assert c2._token == token


def test_bad_client_id_gets_a_new_one(engine, tmp_path: Path) -> None:
    ident = Identity(tmp_path / "cfg")
    ident.client_id_path.parent.mkdir(parents=True)
    ident.client_id_path.write_text("x" * 300)  # the engine refuses it: 400
    c = NemoClient(engine.base_url, identity=ident, settings=fast())
    assert c.credits().available == 100
    cid = ident.client_id()
    assert cid != "x" * 300 and len(cid) == 36
    assert stat.S_IMODE(ident.client_id_path.stat().st_mode) == 0o600


def test_rate_limit_waits_then_says_so(engine, tmp_path: Path) -> None:
    ident = Identity(tmp_path / "cfg")
    c1 = NemoClient(engine.base_url, identity=ident, settings=fast())
    c1.credits()
    ident.tokens_path.unlink()  # a second machine with the same client id and no token
    sleeps: list[float] = []
    c2 = NemoClient(engine.base_url, identity=ident, settings=Settings(rate_limit_wait=30))
    c2._sleep = sleeps.append  # type: ignore[method-assign]
    with pytest.raises(RateLimited) as err:
        c2.credits()
    assert sleeps and sleeps[0] >= 30  # waited once (patched), retried once
    assert "7 days" in str(err.value)


def test_lost_session_is_replaced_and_reported(client: NemoClient, clip: Path) -> None:
    s = client.session("4242")
    with pytest.raises(SessionNotFound) as err:
        s.state()
    assert err.value.new_session_id == s.id != "4242"
    assert "old timeline is gone" in str(err.value)
    assert s.state()["draft"]["t"] == []  # the new session works


def test_credits_exhausted(engine, client: NemoClient, clip: Path) -> None:
    s = client.create_session()
    s.upload(clip)
    store = engine.engine.store
    user = store.lookup_token(client._token).user_id
    store.set_credits(user, 0)
    with pytest.raises(InsufficientCredits) as err:
        s.say("make it 9:16")
    assert err.value.bind_url == f"https://nemovideo.com/register?bind={user}"
    assert "register" in str(err.value)


def test_local_checks_before_sending(client: NemoClient, tmp_path: Path, monkeypatch) -> None:
    s = client.create_session()
    doc = tmp_path / "notes.txt"
    doc.write_text("hi")
    with pytest.raises(UnsupportedFile, match="mp4 mov avi webm mkv"):
        s.upload(doc)
    big = tmp_path / "big.mp4"
    with open(big, "wb") as f:
        f.truncate(501 * 1024 * 1024)  # sparse: no disk used
    with pytest.raises(FileTooLarge, match="500 MB"):
        s.upload(big)
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video at all\n" * 10)
    with pytest.raises(UnsupportedFile, match="text file"):  # refused by the server: 4001
        s.upload(fake)


def test_file_objects_and_urls_upload(client: NemoClient, clip: Path) -> None:
    s = client.create_session()
    with open(clip, "rb") as f:
        up = s.upload(f)
    assert up[0].filename == "clip.mp4" and up[0].duration == pytest.approx(4.0, abs=0.1)
    # URL uploads are fetched by the server; loopback is refused unless configured.
    with pytest.raises(Exception, match="loopback"):
        s.upload(up[0].url)


def test_duplicate_render_id_retries_with_a_new_id(
    client: NemoClient, clip: Path, monkeypatch
) -> None:
    s = client.create_session()
    s.upload(clip)
    ids = iter(["render_same", "render_same", "render_other"])
    monkeypatch.setattr("nemo_widgets.client._client.new_render_id", lambda: next(ids))
    assert s.submit_render() == "render_same"
    assert s.submit_render() == "render_other"


def test_missing_attribution_headers_give_export_blocked(client: NemoClient, clip: Path) -> None:
    s = client.create_session()
    s.upload(clip)
    del client._headers["X-Skill-Source"]
    with pytest.raises(ExportBlocked) as err:
        s.export()
    assert "not about credits" in str(err.value)
    assert not isinstance(err.value, InsufficientCredits)


def test_render_failure_carries_the_reason(engine, client: NemoClient, clip: Path) -> None:
    s = client.create_session()
    s.upload(clip)
    # Media the session does not have is refused at submit, with the fix.
    draft = s.state()["draft"]
    draft["t"][0]["sg"][0]["src"] = "f_missing"
    with pytest.raises(BadRequest, match="not in this session: f_missing"):
        s.submit_render(draft=draft)
    # A stored file damaged on disk after its upload: the job itself fails, with the reason.
    for stored in (engine.data_dir / "files").iterdir():
        stored.write_bytes(b"\0" * 4096)
    rid = s.submit_render()
    with pytest.raises(RenderFailed) as err:
        s.wait_render(rid)
    assert err.value.reason and err.value.render_id == rid


def test_silent_edit_is_summarised(tmp_path: Path, clip: Path) -> None:
    with start(tmp_path / "e", silent_edit_rate=1.0) as eng:
        c = NemoClient(eng.base_url, settings=fast())
        s = c.create_session()
        s.upload(clip)
        r = s.say("keep 0:01 to 0:03")
        assert r.silent and r.tool_calls
        assert r.text == "Done: clip: trimmed from 0-4s to 0-2s."


def test_dropped_stream_recovers_from_state_and_never_resends(tmp_path: Path, clip: Path) -> None:
    with start(tmp_path / "e", fault_drop_sse_after=1) as eng:
        c = NemoClient(eng.base_url, settings=fast())
        s = c.create_session()
        s.upload(clip)
        stream = s.send("add the title 'Still here' for 1 second")
        r = stream.until_done()
        assert stream.dropped and r.recovered
        assert r.changes == ['added Title: "Still here" (0-1s)']
        time.sleep(0.3)
        calls = [e for e in eng.engine.store.events(s.id) if "functionCall" in json.dumps(e)]
        assert len(calls) == 1  # the message was sent exactly once


def test_token_never_printed(client: NemoClient) -> None:
    client.credits()
    token = client._token
    assert token and token not in repr(client) and mask(token) in repr(client)
    assert mask(token).startswith("nmv_usr_") and mask(token).endswith(token[-4:])
    data = json.loads(client.identity.tokens_path.read_text())
    assert stat.S_IMODE(client.identity.tokens_path.stat().st_mode) == 0o600
    assert data[client.base_url]["token"] == token


def test_attribution_headers_on_every_request(engine) -> None:
    seen: list[httpx.Headers] = []
    http = httpx.Client(
        base_url=engine.base_url, event_hooks={"request": [lambda r: seen.append(r.headers)]}
    )
    c = NemoClient(engine.base_url, http=http, settings=fast())
    c.create_session().state()
    assert len(seen) == 3
    for h in seen:
        assert h["x-skill-source"] == "objectremover-video"
        assert h["x-skill-version"] and h["x-skill-platform"] in ("unknown", "clawhub", "cursor")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/u/.clawhub/skills/nemo", "clawhub"),
        ("/home/u/.clawdhub/x", "clawhub"),
        ("/home/u/.cursor/skills/nemo", "cursor"),
        ("/opt/venv/lib/python3.11/site-packages", "unknown"),
    ],
)
def test_platform_detection(path: str, expected: str, monkeypatch) -> None:
    monkeypatch.delenv("SKILL_SOURCE", raising=False)
    assert detect_platform(path) == expected
    monkeypatch.setenv("SKILL_SOURCE", "custom")
    assert detect_platform(path) == "custom"


def test_platform_detects_origin_json(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SKILL_SOURCE", raising=False)
    (tmp_path / "origin.json").write_text("{}")
    (tmp_path / "pkg").mkdir()
    assert detect_platform(tmp_path / "pkg") == "clawhub"


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ("zh_CN.UTF-8", "zh-CN"),
        ("zh_TW.UTF-8", "zh-TW"),
        ("ja_JP.UTF-8", "ja"),
        ("en_US.UTF-8", "en"),
        ("C.UTF-8", "en"),
        ("fr_FR", "fr"),
    ],
)
def test_language_from_locale(env: str, lang: str, monkeypatch) -> None:
    monkeypatch.delenv("NEMO_LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", env)
    assert detect_language() == lang


# -- hosted-only shapes: recorded transcripts through both the sync and the async path ------
#: A recorded hosted-style run: comments, empty data, heartbeats, streamed text, a GUI phrase.
TRANSCRIPT = (Path(__file__).parent / "data" / "hosted_remove_car.sse").read_text()
STATE = {
    "code": 0,
    "data": {
        "session_id": "s1",
        "state": {"draft": {"t": [{"tt": 0, "sg": [{"s": 0, "du": 5000, "n": "clip"}]}]}},
    },
}


def _hosted(transcript: str, status: int = 200):
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/auth/anonymous-token":
            return httpx.Response(
                200, json={"code": 0, "data": {"token": "nmv_usr_abcdefghijkl1234"}}
            )
        if path.startswith("/api/state/"):
            return httpx.Response(200, json=STATE)
        if path == "/run_sse":
            return httpx.Response(
                status, content=transcript.encode(), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(404, json={"code": 404, "message": "no"})

    return handler


def _check_transcript(events: list, result) -> None:
    assert sum(isinstance(e, Heartbeat) for e in events) == 2  # empty data + {"type": …}
    assert [e.name for e in events if isinstance(e, ToolCall)] == ["remove_object"]
    assert result.text == "The car is gone. Click the Export button to download."
    assert result.changes == ["clip: applied remove object (car)"]
    assert [a.kind for a in result.actions] == ["export"]


def test_transcript_sync() -> None:
    http = httpx.Client(
        base_url="https://hosted.test", transport=httpx.MockTransport(_hosted(TRANSCRIPT))
    )
    c = NemoClient("https://hosted.test", http=http, settings=fast())
    stream = c.session("s1").send("remove the car")
    events = list(stream)
    texts = [e.text for e in events if isinstance(e, TextDelta) and e.partial]
    assert "".join(texts) == "The car is gone. Click the Export button to download."
    _check_transcript(events, stream.until_done())


def test_transcript_async() -> None:
    async def main() -> None:
        http = httpx.AsyncClient(
            base_url="https://hosted.test", transport=httpx.MockTransport(_hosted(TRANSCRIPT))
        )
        c = AsyncNemoClient("https://hosted.test", http=http, settings=fast())
        stream = c.session("s1").send("remove the car")
        chunks = [t async for t in stream.text_stream]
        assert "".join(chunks) == "The car is gone. Click the Export button to download."
        result = await stream.until_done()
        assert result.changes == ["clip: applied remove object (car)"]
        assert [a.kind for a in result.actions] == ["export"]

    asyncio.run(main())


@pytest.mark.parametrize(
    "frame",
    [
        'data: {"error": "model overloaded"}\n\n',
        'data: {"errorCode":"MODEL_ERROR","errorMessage":"model overloaded","invocationId":"e","author":"nemo_agent","id":"x","timestamp":1}\n\n',
    ],
)
def test_error_frames_become_typed_errors(frame: str) -> None:
    http = httpx.Client(
        base_url="https://hosted.test", transport=httpx.MockTransport(_hosted(frame))
    )
    c = NemoClient("https://hosted.test", http=http, settings=fast())
    with pytest.raises(AgentRunError, match="model overloaded"):
        c.session("s1").say("hi")


def test_server_errors_retry_on_idempotent_calls_honouring_retry_after() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("anonymous-token"):
            return httpx.Response(
                200, json={"code": 0, "data": {"token": "nmv_usr_xxxxxxxxxxxx9999"}}
            )
        if len(calls) < 3:
            return httpx.Response(503, headers={"Retry-After": "2"}, json={"message": "busy"})
        return httpx.Response(
            200, json={"code": 0, "data": {"available": 5, "frozen": 1, "total": 6}}
        )

    c = NemoClient(
        "https://hosted.test",
        settings=fast(),
        http=httpx.Client(base_url="https://hosted.test", transport=httpx.MockTransport(handler)),
    )
    sleeps: list[float] = []
    c._sleep = sleeps.append  # type: ignore[method-assign]
    assert c.credits().total == 6
    assert sleeps == [2.0]


def test_posts_are_not_retried_on_server_errors() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("anonymous-token"):
            return httpx.Response(
                200, json={"code": 0, "data": {"token": "nmv_usr_xxxxxxxxxxxx9999"}}
            )
        return httpx.Response(500, json={"message": "boom"})

    c = NemoClient(
        "https://hosted.test",
        settings=fast(),
        http=httpx.Client(base_url="https://hosted.test", transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(Exception, match="boom"):
        c.create_session()
    assert calls.count("/api/tasks/me/with-session/nemo_agent") == 1


def test_still_working_fires_during_silence() -> None:
    def slow_stream():
        for _ in range(6):
            time.sleep(0.1)
            yield b": heartbeat\n\n"
        yield b'data: {"content":{"role":"model","parts":[{"text":"done"}]},"turnComplete":true}\n\n'

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("anonymous-token"):
            return httpx.Response(
                200, json={"code": 0, "data": {"token": "nmv_usr_xxxxxxxxxxxx9999"}}
            )
        if request.url.path.startswith("/api/state/"):
            return httpx.Response(200, json=STATE)
        return httpx.Response(
            200, content=slow_stream(), headers={"content-type": "text/event-stream"}
        )

    s = Settings(still_working_after=0.2, poll_initial=0)
    c = NemoClient(
        "https://hosted.test",
        settings=s,
        http=httpx.Client(base_url="https://hosted.test", transport=httpx.MockTransport(handler)),
    )
    fired: list[float] = []
    assert c.session("s1").say("slow", on_still_working=fired.append).text == "done"
    assert fired and all(f >= 0.2 for f in fired)


@pytest.mark.parametrize(
    "body",
    [
        {
            "success": True,
            "data": {
                "id": "r",
                "status": "completed",
                "progress": 100,
                "outputUrl": "https://x/a.mp4",
            },
        },
        {
            "status": "completed",
            "progress": 100,
            "output": {"url": "https://x/a.mp4", "duration": 30.5, "size": 15728640},
        },
    ],
)
def test_both_render_poll_shapes(body: dict) -> None:
    st = base.render_status(body)
    assert st.status == "completed" and st.url == "https://x/a.mp4" and st.done


@pytest.mark.parametrize(
    ("header", "expected"), [("3", 3.0), ("0", 0.0), ("9999", 60.0), ("soon", None), (None, None)]
)
def test_retry_after_parsing(header: str | None, expected: float | None) -> None:
    resp = httpx.Response(503, headers={"Retry-After": header} if header else {})
    assert base.retry_after(resp) == expected


def test_config_dir_env(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "c"))
    ident = Identity()
    cid = ident.client_id()
    assert (tmp_path / "c" / "client_id").read_text().strip() == cid
    assert ident.client_id() == cid  # persisted, reused
    monkeypatch.setenv("NEMO_CLIENT_ID", "fixed-id")
    assert ident.client_id() == "fixed-id"
    assert os.stat(tmp_path / "c").st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("export it as mp4", "export"),
        ("render it please", "export"),
        ("Export the video as an MP4 file please", "export"),
        ("导出视频", "export"),
        ("how many credits do I have left?", "credits"),
        ("我还有多少积分？", "credits"),
        ("what's the status?", "status"),
        ("whats the status", "status"),
        ("show tracks", "status"),
        ("show the timeline please", "status"),
        ("还剩多少积分？", "credits"),
        ("what is on the timeline?", "status"),
        ("export it in 9:16", None),  # an edit first: the agent's
        ("how many credits does blurring cost?", None),  # a question for the agent
        ("render the title red", None),
    ],
)
def test_routing_catches_direct_requests_only(text: str, kind: str | None) -> None:
    from nemo_widgets.client._intents import route

    got = route(text)
    assert (got.kind if got else None) == kind
