"""The declarative base of the reference backend's tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import declarative_base

Base: Any = declarative_base()
