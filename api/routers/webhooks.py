"""(Being built for issue 14: the webhooks endpoints.)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
