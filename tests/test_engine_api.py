"""The engine's HTTP API, driven over loopback exactly as PROTOCOL.md documents it."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from nemo_widgets.engine import start
from tests.conftest import ATTRIBUTION, Api


def test_documented_calls_replayed_literally(engine, clip: Path) -> None:
    """The seed's curl calls, byte for byte: token, session, -F files=@clip.mp4, run, render."""
    http = httpx.Client(base_url=engine.base_url, timeout=60)
    cid = str(uuid.uuid4())
    r = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": cid})
    body = r.json()
    assert r.status_code == 200 and body["code"] == 0
    assert body["data"]["token"].startswith("nmv_usr_")
    assert body["data"]["user_id"].startswith("anon_")
    assert body["data"]["credits"] == 100
    assert body["data"]["expires_at"].endswith("Z")
    auth = {"Authorization": f"Bearer {body['data']['token']}", **ATTRIBUTION}

    r = http.post(
        "/api/tasks/me/with-session/nemo_agent",
        headers=auth,
        content=b'{"task_name":"project","language":"en"}',
        # curl -d sends this content type unless told otherwise
    )
    data = r.json()["data"]
    assert data["task_id"].startswith("task_") and isinstance(data["session_id"], str)
    sid = data["session_id"]

    with open(clip, "rb") as f:  # curl -F files=@clip.mp4
        r = http.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            headers=auth,
            files={"files": ("clip.mp4", f, "video/mp4")},
        )
    up = r.json()
    assert up["code"] == 0 and up["data"]["session_state_applied"] is True
    f0 = up["data"]["files"][0]
    assert (f0["filename"], f0["file_type"], f0["width"], f0["height"], f0["fps"]) == (
        "clip.mp4",
        "video",
        640,
        360,
        25.0,
    )
    assert abs(f0["duration"] - 4.0) < 0.1 and len(f0["hash"]) == 64

    run = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"role": "user", "parts": [{"text": "add the title 'Hi' for 2 seconds"}]},
    }
    with http.stream(
        "POST", "/run_sse", headers={**auth, "Accept": "text/event-stream"}, json=run
    ) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = resp.read().decode()
    frames = [f for f in raw.split("\n\n") if f.strip()]
    events = [json.loads(f[len("data: ") :]) for f in frames if f.startswith("data: ")]
    assert all("\n" not in f for f in frames if f.startswith("data: "))
    assert [next(iter(e["content"]["parts"][0])) for e in events] == [
        "functionCall",
        "functionResponse",
        "text",
    ]
    assert events[1]["content"]["role"] == "user" and events[1]["author"] == "nemo_agent"
    assert "draft" in events[1]["actions"]["stateDelta"]
    assert events[-1]["turnComplete"] is True
    for e in events:  # camelCase, nulls omitted
        assert {"invocationId", "author", "actions", "id", "timestamp"} <= e.keys()
        assert not any("_" in k for k in e) and None not in e.values()

    r = http.get("/api/credits/balance/simple", headers=auth)
    bal = r.json()["data"]
    assert bal["total"] == bal["available"] + bal["frozen"] and bal["available"] == 99

    st = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=auth).json()["data"]
    assert st["session_id"] == sid
    assert {"draft", "video_infos", "generated_media", "canvas_config"} <= st["state"].keys()

    rid = f"render_{int(time.time() * 1000)}"
    r = http.post(
        "/api/render/proxy/lambda",
        headers=auth,
        json={
            "id": rid,
            "sessionId": sid,
            "draft": st["state"]["draft"],
            "output": {"format": "mp4", "quality": "high"},
        },
    )
    assert r.json() == {"success": True, "data": {"id": rid, "status": "pending", "progress": 5}}
    api = Api.__new__(Api)
    api.http, api.headers = http, auth
    done = api.wait_render(rid)
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["outputUrl"] == done["output"]["url"]
    video = http.get(done["outputUrl"])  # the signed URL works without headers (a <video> tag)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    dl = http.get(f"/api/render/proxy/{rid}/download", headers=auth)
    assert dl.content == video.content and dl.content[4:8] == b"ftyp"


def test_token_rules(engine) -> None:
    http = httpx.Client(base_url=engine.base_url)
    r = http.post("/api/auth/anonymous-token")
    assert r.status_code == 400 and r.json()["code"] == 400
    cid = str(uuid.uuid4())
    first = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": cid})
    assert first.status_code == 200
    again = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": cid})
    assert again.status_code == 429 and again.json()["code"] == 429
    assert int(again.headers["retry-after"]) > 0
    # An expired token is 1001; a new token for the same client id keeps the same user.
    token = first.json()["data"]["token"]
    engine.engine.store.expire_token(token)
    r = http.get("/api/credits/balance/simple", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["code"] == 1001
    renewed = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": cid})
    assert renewed.status_code == 200
    assert renewed.json()["data"]["user_id"] == first.json()["data"]["user_id"]


@pytest.mark.parametrize(
    "path,method",
    [
        ("/api/tasks/me/with-session/nemo_agent", "POST"),
        ("/run_sse", "POST"),
        ("/api/upload-video/nemo_agent/me/123", "POST"),
        ("/api/credits/balance/simple", "GET"),
        ("/api/state/nemo_agent/me/123/latest", "GET"),
        ("/api/render/proxy/lambda", "POST"),
        ("/api/render/proxy/lambda/r1", "GET"),
        ("/api/render/proxy/lambda/r1/cancel", "POST"),
        ("/api/render/proxy/r1/download", "GET"),
        ("/media/f_123", "GET"),
    ],
)
def test_every_route_needs_a_token(engine, path: str, method: str) -> None:
    for headers in ({}, {"Authorization": "Bearer nmv_usr_forged"}):
        r = httpx.request(method, engine.base_url + path, headers=headers)
        assert r.status_code in (401, 404), (path, r.status_code)
        body = r.json()
        assert body.get("code") in (1001, 404, "1001") or body.get("success") is False


def test_users_are_isolated_route_by_route(engine, clip: Path) -> None:
    alice, bob = Api(engine), Api(engine)
    sid = alice.session()
    up = alice.upload(sid, clip).json()["data"]["files"][0]
    alice.say(sid, "add the title 'mine' for 1 second")
    r = alice.http.post(
        "/api/render/proxy/lambda",
        headers=alice.headers,
        json={"id": "render_a", "sessionId": sid, "output": {}},
    )
    assert r.status_code == 200
    alice.wait_render("render_a")
    h = bob.headers
    assert bob.http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=h).json()["code"] == 1002
    assert bob.upload(sid, clip).status_code == 404
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"role": "user", "parts": [{"text": "undo"}]},
    }
    assert bob.http.post("/run_sse", headers=h, json=body).status_code == 404
    assert bob.http.get("/api/render/proxy/lambda/render_a", headers=h).status_code == 404
    assert bob.http.get("/api/render/proxy/render_a/download", headers=h).status_code == 404
    assert bob.http.post("/api/render/proxy/lambda/render_a/cancel", headers=h).status_code == 404
    media = up["cdn_url"].split("?")[0]
    assert bob.http.get(media, headers=h).status_code == 404  # token of another user
    assert bob.http.get(media + "?sig=" + "0" * 32).status_code == 404  # forged signature
    assert alice.http.get(media, headers=alice.headers).status_code == 200
    # Bob's render ids are his own namespace: the same id is free for him.
    sid_b = bob.session()
    bob.upload(sid_b, clip)
    r = bob.http.post(
        "/api/render/proxy/lambda",
        headers=h,
        json={"id": "render_a", "sessionId": sid_b, "output": {}},
    )
    assert r.status_code == 200


def test_media_supports_range_requests(api: Api, clip: Path) -> None:
    sid = api.session()
    url = api.upload(sid, clip).json()["data"]["files"][0]["cdn_url"]
    r = api.http.get(url, headers={"Range": "bytes=100-199"})
    assert r.status_code == 206 and len(r.content) == 100
    assert r.content == clip.read_bytes()[100:200]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_uploads_are_checked_by_content(api: Api, tmp_path: Path, clip: Path) -> None:
    sid = api.session()
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are my notes, not a video\n" * 20)
    r = api.upload(sid, fake)
    assert r.status_code == 415 and r.json()["code"] == 4001
    assert "text file" in r.json()["message"] and "mp4" in r.json()["message"]
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert api.upload(sid, empty).json()["code"] == 4001
    truncated = tmp_path / "cut.mp4"
    truncated.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    r = api.upload(sid, truncated)
    assert r.json()["code"] == 4001
    # A real video with the wrong extension is accepted for what it is.
    renamed = tmp_path / "holiday.avi"
    renamed.write_bytes(clip.read_bytes())
    r = api.upload(sid, renamed)
    assert r.status_code == 200 and r.json()["data"]["files"][0]["format"] == "mp4"
    # Nothing half-written was left behind, and the session still works.
    assert not any(api.eng.data_dir.joinpath("tmp").iterdir())
    assert len(api.state(sid)["video_infos"]) == 1


def test_upload_size_limit_enforced_while_streaming(tmp_path: Path) -> None:
    with start(tmp_path / "e", max_upload_bytes=200_000) as eng:
        api = Api(eng)
        sid = api.session()
        big = tmp_path / "big.mp4"
        big.write_bytes(b"\0" * 300_000)
        r = api.upload(sid, big)
        assert r.status_code == 413 and r.json()["code"] == 4002
        assert "MB" in r.json()["message"]
        assert not any((eng.data_dir / "tmp").iterdir())
        assert not any((eng.data_dir / "files").iterdir())


def test_url_uploads(engine, clip: Path, tmp_path: Path) -> None:
    api = Api(engine)
    sid = api.session()
    r = api.http.post(
        f"/api/upload-video/nemo_agent/me/{sid}",
        headers=api.headers,
        json={"urls": ["file:///etc/passwd"], "source_type": "url"},
    )
    assert r.status_code == 400 and "http" in r.json()["message"]
    src = api.upload(sid, clip).json()["data"]["files"][0]["cdn_url"]
    r = api.http.post(
        f"/api/upload-video/nemo_agent/me/{sid}", headers=api.headers, json={"urls": [src]}
    )
    assert r.status_code == 400 and "loopback" in r.json()["message"]  # SSRF guard
    with start(tmp_path / "e2", allow_private_urls=True) as eng2:
        api2 = Api(eng2)
        sid2 = api2.session()
        r = api2.http.post(
            f"/api/upload-video/nemo_agent/me/{sid2}",
            headers=api2.headers,
            json={"urls": [src], "source_type": "url"},
        )
        assert r.status_code == 200, r.text
        assert (
            r.json()["data"]["files"][0]["hash"]
            == api.upload(sid, clip).json()["data"]["files"][0]["hash"]
        )


def test_bad_json_and_unknown_session(api: Api) -> None:
    r = api.http.post(
        "/api/tasks/me/with-session/nemo_agent", headers=api.headers, content=b"{nope"
    )
    assert r.status_code == 400 and r.json()["code"] == 400
    r = api.http.post(
        "/run_sse",
        headers=api.headers,
        json={
            "appName": "nemo_agent",
            "userId": "me",
            "sessionId": "999",
            "newMessage": {"role": "user", "parts": [{"text": "hi"}]},
        },
    )
    assert r.status_code == 404 and r.json()["code"] == 1002 and "detail" in r.json()


def test_camel_case_run_request(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    body = {
        "appName": "nemo_agent",
        "userId": "me",
        "sessionId": sid,
        "newMessage": {"role": "user", "parts": [{"text": "make it 9:16"}]},
    }
    with api.http.stream("POST", "/run_sse", headers=api.headers, json=body) as r:
        assert r.status_code == 200
        r.read()
    assert api.state(sid)["draft"]["m"]["aspect"] == "9:16"


def test_everything_survives_a_restart(tmp_path: Path, clip: Path) -> None:
    data = tmp_path / "engine"
    with start(data) as eng:
        api = Api(eng)
        sid = api.session()
        api.upload(sid, clip)
        api.say(sid, "add the title 'persist' for 1 second")
        api.http.post(
            "/api/render/proxy/lambda",
            headers=api.headers,
            json={"id": "render_p", "sessionId": sid, "output": {}},
        )
        done = api.wait_render("render_p")
        before = api.state(sid)
        token, headers = api.token, api.headers
        video = api.http.get(done["outputUrl"]).content
    with start(data) as eng:
        http = httpx.Client(base_url=eng.base_url)
        st = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=headers).json()
        assert st["data"]["state"] == before
        poll = http.get("/api/render/proxy/lambda/render_p", headers=headers).json()["data"]
        assert poll["status"] == "completed"
        assert http.get("/api/render/proxy/render_p/download", headers=headers).content == video
        assert token  # the same token still works after the restart


def test_interrupted_render_is_resumed_after_restart(tmp_path: Path, clip: Path) -> None:
    data = tmp_path / "engine"
    with start(data) as eng:
        api = Api(eng)
        sid = api.session()
        api.upload(sid, clip)
        headers = api.headers
        # Simulate a crash mid-render: the job row says "processing", no worker owns it.
        eng.engine.store.create_job(
            "render_x",
            api.user_id,
            sid,
            "render",
            {"draft": api.state(sid)["draft"], "format": "mp4", "quality": "low"},
        )
        eng.engine.store.update_job("render_x", api.user_id, status="processing", progress=40)
        eng.engine.pool.shutdown()  # nobody will pick it up in this process
    with start(data) as eng:
        api2 = Api.__new__(Api)
        api2.http, api2.headers = httpx.Client(base_url=eng.base_url, timeout=60), headers
        done = api2.wait_render("render_x")
        assert done["status"] == "completed"


def test_render_errors(api: Api, clip: Path) -> None:
    sid = api.session()
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "render_e", "sessionId": sid, "output": {}},
    )
    assert r.status_code == 400 and "nothing to export" in r.json()["error"]
    api.upload(sid, clip)
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "render_e", "sessionId": sid, "output": {"format": "gif"}},
    )
    assert r.status_code == 400 and "mp4, webm" in r.json()["error"]
    no_attr = {"Authorization": api.headers["Authorization"]}
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers=no_attr,
        json={"id": "render_e", "sessionId": sid, "output": {}},
    )
    assert r.status_code == 402 and r.json()["success"] is False
    assert "register or upgrade" in r.json()["error"]
    ok = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "render_e", "sessionId": sid, "output": {}},
    )
    assert ok.status_code == 200
    dup = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "render_e", "sessionId": sid, "output": {}},
    )
    assert dup.status_code == 409 and "already exists" in dup.json()["error"]
    bad = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={
            "id": "render_f",
            "sessionId": sid,
            "output": {},
            "draft": {"t": [{"tt": 0, "sg": [{"s": -5, "du": 1}]}]},
        },
    )
    assert bad.status_code == 400 and "track 1, segment 1" in bad.json()["error"]


def test_render_cancel(api: Api, tmp_path: Path) -> None:
    from nemo_widgets.synth import make_clip

    long_clip = make_clip(tmp_path / "long.mp4", seconds=20, width=1280, height=720, audio=False)
    sid = api.session()
    api.upload(sid, long_clip)
    api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "render_c", "sessionId": sid, "output": {"quality": "high"}},
    )
    time.sleep(0.5)
    r = api.http.post("/api/render/proxy/lambda/render_c/cancel", headers=api.headers)
    assert r.status_code == 200 and r.json()["data"]["status"] == "cancelled"
    time.sleep(1)
    data = api.wait_render("render_c")
    assert data["status"] == "cancelled"
    assert not list((api.eng.data_dir / "renders").iterdir())  # nothing half-written kept
    assert not list((api.eng.data_dir / "tmp").iterdir())


def test_credits_reserve_then_consume_and_2001(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    store = api.eng.engine.store
    store.set_credits(api.user_id, 0)
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"role": "user", "parts": [{"text": "make it 1:1"}]},
    }
    r = api.http.post("/run_sse", headers=api.headers, json=body)
    assert r.status_code == 403 and r.json()["code"] == 2001
    assert f"bind={api.user_id}" in r.json()["message"]
    assert api.state(sid)["draft"]["m"].get("aspect") is None  # no work started
    store.set_credits(api.user_id, 10)
    api.say(sid, "make it 1:1")
    assert store.balance(api.user_id) == {"available": 9, "frozen": 0, "total": 9}
    # A request that fails does not charge.
    api.say(sid, "add notes.mp3 as BGM")
    assert store.balance(api.user_id)["available"] == 9


def test_back_to_back_runs_are_accepted_and_concurrent_ones_refused(api: Api, clip: Path) -> None:
    """A client may send its next message the moment a reply closes (CI caught a race here);
    a second message while a run is still going is refused (it would duplicate work)."""
    import threading

    sid = api.session()
    api.upload(sid, clip)
    for i in range(15):
        events = api.say(sid, f"add the title 'T{i}' for 1 second")
        assert "Added the title" in events[-1]["content"]["parts"][0]["text"]
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"role": "user", "parts": [{"text": "blur the background"}]},
    }
    codes: list[int] = []

    def send() -> None:
        with (
            httpx.Client(base_url=api.eng.base_url, timeout=120) as http,
            http.stream("POST", "/run_sse", headers=api.headers, json=body) as r,
        ):
            codes.append(r.status_code)
            r.read()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
