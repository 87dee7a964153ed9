"""The official MCP Python SDK's client against `quiver mcp`.

Run by cli/tests/serve.rs with QUIVER_BIN (the quiver binary) and
QUIVER_FIXTURE (a Cypher script to --load). Prints one line per check and
"N passed, M failed"; exits non-zero on a failure.
"""

import asyncio
import json
import os
import sys
import traceback

import mcp
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = os.environ["QUIVER_BIN"]
FIXTURE = os.environ["QUIVER_FIXTURE"]

results = {"passed": 0, "failed": 0}


def text(result):
    return "".join(c.text for c in result.content if getattr(c, "type", None) == "text")


async def check(name, coro):
    try:
        await coro
        results["passed"] += 1
        print(f"ok {name}", flush=True)
    except Exception:
        results["failed"] += 1
        print(f"FAILED {name}", flush=True)
        traceback.print_exc()


async def read_only_session():
    params = StdioServerParameters(command=BIN, args=["mcp", "--load", FIXTURE])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.server_info.name == "quiver", init.server_info
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert set(tools) == {"query", "schema", "explain"}, set(tools)
            assert tools["query"].annotations.read_only_hint is True

            schema = json.loads(text(await session.call_tool("schema", {})))
            assert schema["labels"]["Person"]["count"] > 0, schema
            assert "name" in schema["labels"]["Person"]["properties"], schema["labels"]["Person"]
            assert any(":PARTICIPATED_IN" in p for p in schema["patterns"]), schema["patterns"]
            assert len(json.dumps(schema)) < 20000, len(json.dumps(schema))

            r = await session.call_tool(
                "query",
                {
                    "query": "MATCH (p:Person {name: $name})-[:PARTICIPATED_IN]->(e:Event) RETURN e.name AS event ORDER BY event",
                    "parameters": {"name": "Mike Waltz"},
                },
            )
            assert not r.is_error, text(r)
            answer = json.loads(text(r))
            assert answer["columns"] == ["event"], answer
            assert ["Waltz meeting with Palestinian diplomats"] in answer["rows"], answer

            r = await session.call_tool("query", {"query": "MATCH (p:Person) SET p.touched = true"})
            assert r.is_error and "read-only" in text(r), text(r)
            r = await session.call_tool("query", {"query": "MATCH (p:Person) RETURN count(p.touched) AS c"})
            assert json.loads(text(r))["rows"] == [[0]], text(r)

            r = await session.call_tool("query", {"query": "MATCH (p:Person RETURN p"})
            assert r.is_error and "line 1" in text(r), text(r)

            r = await session.call_tool("explain", {"query": "MATCH (p:Person) RETURN p.name"})
            assert not r.is_error and text(r), text(r)


async def writable_session():
    params = StdioServerParameters(command=BIN, args=["mcp", "--allow-writes"])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            r = await session.call_tool("query", {"query": "CREATE (:Note {text: 'hello'}) RETURN 1 AS ok"})
            assert not r.is_error, text(r)
            assert json.loads(text(r))["stats"]["nodes_created"] == 1, text(r)
            r = await session.call_tool("query", {"query": "MATCH (n:Note) RETURN n.text AS t"})
            assert json.loads(text(r))["rows"] == [["hello"]], text(r)


async def main():
    await check("read_only_session", read_only_session())
    await check("writable_session", writable_session())


asyncio.run(main())
print(f"mcp {getattr(mcp, '__version__', '')}: {results['passed']} passed, {results['failed']} failed", flush=True)
sys.exit(1 if results["failed"] else 0)
