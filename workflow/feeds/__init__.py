"""Calendar feeds (RFC 5545): per person and per institution, what concerns them as all-day
events, behind a revocable token in the URL.

(Being built for issue 14.)
"""

from __future__ import annotations

TABLES: tuple[type, ...] = ()

__all__ = ["TABLES"]
