"""Run the service (`python -m moderation serve`)."""

import logging

from aiohttp import web

from moderation.settings import Settings
from moderation.web.app import create_app


def run(host: str, port: int, settings: Settings | None = None) -> None:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # access_log=None: the default access log line carries the client IP, which must not be
    # logged (privacy); request metrics come from our own middleware instead.
    web.run_app(create_app(settings), host=host, port=port, access_log=None)
