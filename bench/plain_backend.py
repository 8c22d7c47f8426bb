#!/usr/bin/env python3
"""The plaintext backend behind stunnel in bench/run.sh: answers every line with the secret (one asyncio
process, so it adds little per connection). Usage: plain_backend.py PORT SECRET"""
import asyncio
import sys


async def serve(reader, writer):
    reply = (sys.argv[2] + "\n").encode()
    try:
        while await reader.readline():
            writer.write(reply)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    async with server:
        await server.serve_forever()


asyncio.run(main())
