"""Checks an OpenAPI document the way an integrator's tools read it (used by OpenAPITests).

    check.py DOCUMENT VERSION [SCHEMA=INSTANCE.json ...]

VERSION is 3.0 or 3.1. openapi-spec-validator validates the document; each SCHEMA=FILE pair
validates a response the server gave (FILE) against components/schemas/SCHEMA with the
OpenAPI-aware JSON Schema validator of that version (nullable, readOnly, formats), references
resolved within the document. Prints one line per problem and exits 1 if there is any.
"""
import json
import sys

from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

path, version, *pairs = sys.argv[1:]
document = json.load(open(path, encoding="utf-8"))
problems = []
try:
    validate(document, cls=OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator)
except Exception as error:  # the validator's own error names the path
    problems.append(f"document: {error}")

registry = Registry().with_resource("urn:tessera-doc", Resource.from_contents(document, default_specification=DRAFT202012))
Validator = OAS30Validator if version == "3.0" else OAS31Validator
for pair in pairs:
    name, file = pair.split("=", 1)
    schema = {"$ref": f"urn:tessera-doc#/components/schemas/{name}"}
    instance = json.load(open(file, encoding="utf-8"))
    validator = Validator(schema, registry=registry, format_checker=FormatChecker())
    for error in validator.iter_errors(instance):
        problems.append(f"{name} ({file}): {'/'.join(map(str, error.absolute_path))}: {error.message}")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
