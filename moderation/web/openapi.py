"""The OpenAPI 3.1 document of the service (served at /v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from moderation import __version__
from moderation.intake import MAX_ID, MAX_USER_AGENT
from moderation.labels import LABELS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _err(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_AUTH_ERRORS = {"401": _err("missing or invalid token"), "403": _err("role not admitted")}
_REVIEW_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["review_id", "product_id", "text", "submitter"],
    "properties": {
        "review_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_ID,
            "description": "the storefront's id: the idempotency key",
        },
        "product_id": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
        "text": {"type": "string", "minLength": 1, "maxLength": 5000},
        "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
        "submitter": {
            "type": "object",
            "additionalProperties": False,
            "required": ["user_id"],
            "properties": {
                "user_id": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
                "ip": {"type": ["string", "null"], "description": "IPv4 or IPv6"},
                "user_agent": {"type": ["string", "null"], "maxLength": MAX_USER_AGENT},
            },
        },
        "submitted_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
_RESULT = {
    "type": "object",
    "required": [
        "id",
        "decision",
        "published_text",
        "labels",
        "flags",
        "edits",
        "legal_hold",
        "model_version",
        "reasons",
        "status",
    ],
    "properties": {
        "id": {"type": "string"},
        "decision": {"enum": ["publish", "publish_edited", "hold", "reject"]},
        "published_text": {"type": ["string", "null"]},
        "labels": {"type": "object", "properties": {k: {"type": "number"} for k in LABELS}},
        "flags": {"type": "array", "items": {"enum": list(LABELS)}},
        "edits": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start", "end", "kind", "replacement"],
                "properties": {
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                    "kind": {"type": "string"},
                    "replacement": {"type": "string"},
                },
            },
        },
        "legal_hold": {"type": "boolean"},
        "model_version": {"type": "string"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "status": {"enum": ["final", "pending"]},
        "moderation": {"type": "object"},
    },
}


def document() -> dict[str, Any]:
    """The whole document."""
    review_id = {
        "name": "review_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Negahban moderation API",
            "version": __version__,
            "description": "Moderation of Persian product reviews.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "ReviewIn": _REVIEW_IN,
                "Result": _RESULT,
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/reviews": {
                "post": {
                    "summary": "Score and store one review (idempotent on review_id)",
                    "x-roles": ["storefront"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ReviewIn"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"$ref": "#/components/schemas/Result"}, "scored and stored"),
                        "200": _json({"$ref": "#/components/schemas/Result"}, "already stored"),
                        "400": _err("malformed request"),
                        "409": _err("review_id reused"),
                        "413": _err("body too large"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/v1/reviews/batch": {
                "post": {
                    "summary": "Score and store up to 500 reviews",
                    "x-roles": ["storefront"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["reviews"],
                                    "properties": {
                                        "reviews": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 500,
                                            "items": {"$ref": "#/components/schemas/ReviewIn"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"type": "object"}, "a result or error per item"),
                        "400": _err("malformed request"),
                        "413": _err("too many items"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/v1/reviews/{review_id}": {
                "get": {
                    "summary": "Current state of a review",
                    "x-roles": ["storefront", "moderator"],
                    "parameters": [review_id],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Result"}),
                        "404": _err("unknown review"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "security": [],
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Readiness (database, model)",
                    "security": [],
                    "responses": {
                        "200": _json({"type": "object"}),
                        "503": _json({"type": "object"}, "not ready"),
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics",
                    "security": [],
                    "responses": {"200": {"description": "text format"}},
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": _json({"type": "object"})},
                }
            },
        },
    }
