"""A bare aiohttp endpoint that parses a JSON body and answers JSON: the load baseline."""

import sys

from aiohttp import web


async def echo(request: web.Request) -> web.Response:
    """Read and parse the body, answer a small JSON object (what any JSON API must do)."""
    body = await request.json()
    return web.json_response({"id": body.get("review_id"), "decision": "publish"})


if __name__ == "__main__":
    app = web.Application()
    app.router.add_post("/v1/reviews", echo)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
