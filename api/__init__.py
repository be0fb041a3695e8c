"""The HTTP adapter: parses requests, calls workflow services, renders responses and problems."""
