"""AEP Ingestion Console: stream profiles and experience events into Adobe Experience Platform."""

__version__ = "0.1.0"
APP_NAME = "AEP Ingestion Console"
APP_ID = "aep-console"
