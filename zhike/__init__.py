"""zhike (智客): an open-source, all-scenario Chinese customer-service system on Rasa."""

__version__ = "0.1.0"
