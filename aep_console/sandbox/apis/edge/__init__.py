"""The Edge Network (``https://edge.adobedc.net``): datastreams, ``/ee/v2/interact|collect`` and the Web SDK's
``/{edgeBasePath}[/{locationHint}]/v1/interact|collect``; events go through the streaming ingestion pipeline."""
