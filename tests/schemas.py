"""The providers' published contracts (tests/contracts/, copies of ../shared/contracts/) as JSON Schema
validators, with `format` checked: a `format: uri` field must hold a URL, not a path."""

import json
from pathlib import Path

from jsonschema import Draft202012Validator

CONTRACTS = Path(__file__).parent / "contracts"
DUBFORMER = json.loads((CONTRACTS / "dubformer-platform.schema.json").read_text())
MODELSLAB = json.loads((CONTRACTS / "modelslab-voice-openapi.json").read_text())
MODELSLAB_SCHEMAS = MODELSLAB["components"]["schemas"]

FORMATS = Draft202012Validator.FORMAT_CHECKER
# jsonschema skips a format it has no checker for; `uri` needs rfc3986-validator (a test extra).
assert "uri" in FORMATS.checkers, "pip install rfc3986-validator: without it `format: uri` is not checked"


def dubformer_validator(definition):
    return Draft202012Validator(
        {"$ref": f"#/$defs/{definition}", "$defs": DUBFORMER["$defs"]}, format_checker=FORMATS
    )


def modelslab_validator(definition):
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{definition}", "components": MODELSLAB["components"]},
        format_checker=FORMATS,
    )


def dubformer_errors(definition, body):
    return [error.message for error in dubformer_validator(definition).iter_errors(body)]


def modelslab_errors(definition, body):
    return [error.message for error in modelslab_validator(definition).iter_errors(body)]
