"""The HTTP layer (aiohttp). The domain never imports from here."""
