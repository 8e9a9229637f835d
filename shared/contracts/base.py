from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_REGISTRY: dict[tuple[str, int], type[Event]] = {}


class Event(BaseModel):
    """Base of every contract. Subclasses set TOPIC, EVENT_TYPE and SCHEMA_VERSION."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    TOPIC: ClassVar[str]
    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "EVENT_TYPE" in cls.__dict__:
            key = (cls.EVENT_TYPE, cls.SCHEMA_VERSION)
            if key in _REGISTRY and _REGISTRY[key] is not cls:
                raise TypeError(f"duplicate event contract {key}")
            _REGISTRY[key] = cls

    def aggregate_id(self) -> str:
        raise NotImplementedError


def event_class(event_type: str, schema_version: int = 1) -> type[Event] | None:
    return _REGISTRY.get((event_type, schema_version))


def registered_events() -> dict[tuple[str, int], type[Event]]:
    return dict(_REGISTRY)
