"""A UDP relay that hands a client over to another SNMP agent mid-conversation (stdlib only).

The first ``--after`` datagrams a client sends go to agent A, every later one to agent B; each
agent's replies go back to the client from the relay's own address. For SNMPv3 this is an agent
whose engine changes under the scanner after engine discovery (a device replaced, an address
taken over, a man in the middle): replies then carry another authoritative engine-id than the
one discovered, and no value of B may be stored as the data of the device the scan discovered.

    python -m lab.engine_switch 127.91.0.10:16162 127.91.0.11:16162 127.91.0.12:16162 --after 3
"""

from __future__ import annotations

import argparse
import asyncio
import signal


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


class Upstream(asyncio.DatagramProtocol):
    """One client's socket towards the agents: what comes back goes to the client."""

    def __init__(self, relay: Relay, client: tuple[str, int]) -> None:
        self.relay, self.client = relay, client

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.relay.transport is not None:
            self.relay.transport.sendto(data, self.client)


class Relay(asyncio.DatagramProtocol):
    def __init__(self, agents: tuple[tuple[str, int], tuple[str, int]], after: int) -> None:
        self.agents, self.after = agents, after
        self.transport: asyncio.DatagramTransport | None = None
        self.upstream: dict[tuple[str, int], asyncio.DatagramTransport] = {}
        self.sent: dict[tuple[str, int], int] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        asyncio.get_running_loop().create_task(self.forward(data, addr))

    async def forward(self, data: bytes, client: tuple[str, int]) -> None:
        if client not in self.upstream:
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: Upstream(self, client), local_addr=(self.agents[0][0], 0))
            self.upstream.setdefault(client, transport)
        count = self.sent.get(client, 0)
        self.sent[client] = count + 1
        self.upstream[client].sendto(data, self.agents[0 if count < self.after else 1])


async def serve(listen: tuple[str, int], agents: tuple[tuple[str, int], tuple[str, int]],
                after: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    relay = Relay(agents, after)
    transport, _ = await loop.create_datagram_endpoint(lambda: relay, local_addr=listen)
    try:
        await stop
    finally:
        transport.close()
        for upstream in relay.upstream.values():
            upstream.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("listen", type=address, help="HOST:PORT the scanner talks to")
    parser.add_argument("agent_a", type=address, help="HOST:PORT of the first agent")
    parser.add_argument("agent_b", type=address, help="HOST:PORT of the agent taking over")
    parser.add_argument("--after", type=int, default=3,
                        help="datagrams per client that go to the first agent (default 3)")
    args = parser.parse_args()
    asyncio.run(serve(args.listen, (args.agent_a, args.agent_b), args.after))


if __name__ == "__main__":
    main()
