"""The render's kernel: ready as soon as it has answered on both channels, never hung."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from conftest import ROOT

from briefing.kernel import Kernel, ReadyClient

NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"


async def run(client: ReadyClient, code: str) -> list[str]:
    """Execute ``code``; the plain-text results published on IOPub for that request."""
    request = client.execute(code)
    results = []
    while True:
        message = await client.iopub_channel.get_msg(timeout=30)
        if message["parent_header"].get("msg_id") != request:
            continue
        if message["msg_type"] == "execute_result":
            results.append(message["content"]["data"]["text/plain"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return results


def test_the_kernel_is_ready_with_both_channels_connected():
    # Ready means the kernel answered kernel_info on the shell channel and IOPub carried
    # that request's idle status: the first execution's output is then never missed.
    async def first_result(manager) -> list[str]:
        client = manager.client()
        assert isinstance(client, ReadyClient)
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            return await run(client, "6 * 7")
        finally:
            client.stop_channels()

    with Kernel(NOTEBOOK) as kernel:
        assert asyncio.run(first_result(kernel.manager)) == ["42"]


def test_waiting_for_a_dead_kernel_fails_instead_of_hanging():
    async def wait(manager) -> None:
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
        finally:
            client.stop_channels()

    with Kernel(NOTEBOOK) as kernel:
        os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match="died"):
            asyncio.run(wait(kernel.manager))
