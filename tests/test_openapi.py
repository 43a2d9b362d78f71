"""The engine against its own OpenAPI description: schemathesis generates requests for every
operation (valid and not), sends them to a real engine on loopback and checks that nothing
answers 5xx and that every response matches the documented status, content type and schema."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from nemo_widgets.engine import EngineHandle, start
from nemo_widgets.engine.openapi import spec
from tests.conftest import ATTRIBUTION

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_dict(spec())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EngineHandle, dict, str]]:
    with (
        start(tmp_path_factory.mktemp("engine"), credits=100) as eng,
        httpx.Client(base_url=eng.base_url) as http,
    ):
        token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "schema-run"})
        headers = {"Authorization": f"Bearer {token.json()['data']['token']}", **ATTRIBUTION}
        sid = http.post("/api/tasks/me/with-session/nemo_agent", headers=headers, json={})
        yield eng, headers, sid.json()["data"]["session_id"]


def test_the_served_description_is_this_one(live: tuple[EngineHandle, dict, str]) -> None:
    eng, headers, _ = live
    assert httpx.get(f"{eng.base_url}/openapi.json").status_code == 401
    assert httpx.get(f"{eng.base_url}/openapi.json", headers=headers).json() == spec()


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("NEMO_SCHEMA_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_engine_matches_its_description(case, live: tuple[EngineHandle, dict, str]) -> None:
    eng, headers, sid = live
    # Half the cases aim at a real session, so that more than the 404 path is explored.
    if case.path_parameters and "sid" in case.path_parameters and random.random() < 0.5:
        case.path_parameters["sid"] = sid
    if isinstance(case.body, dict) and random.random() < 0.5:
        for key in ("session_id", "sessionId"):
            if key in case.body:
                case.body[key] = sid
    case.call_and_validate(base_url=eng.base_url, headers=headers)
