"""Checks Docs/openapi.yaml against a running daemon: every documented operation is probed,
each probe's answer has the status it expects, that status is documented for the operation,
and the body is valid against the documented schema (undocumented or missing fields fail).

usage: openapi_check.py OPENAPI_YAML PROBES_JSON [PREFIX]
  PROBES_JSON: a list of {"socket", "method", "path", "body"?, "content_type"?, "status"}.
  PREFIX: only the operations whose path starts with it are checked for `x-probes` and coverage
  (a daemon that serves only some of them as documented, such as a fleet's).
An operation may list more probes in the description itself, `x-probes`: each
{"path"?, "body"?, "content_type"?, "status"}, sent after those of PROBES_JSON on the socket the
operation's tag names (the socket PROBES_JSON uses for /v1/admin/ or /v1/headers); `path`
defaults to the operation's own. A non-JSON answer is checked for its status, its content type
and its documented headers (a header documented as JSON is validated against its schema).
Prints {"probes": N, "spec_probes": M, "failures": [...], "uncovered": [...]} as JSON, N being
the probes of PROBES_JSON.
"""
import http.client
import json
import re
import socket
import sys

import yaml


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("vault", timeout=20)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def template_regex(template):
    parts = re.split(r"(\{[^}]+\})", template)
    out = ""
    for p in parts:
        if p == "{upstream}":
            out += ".+"
        elif p.startswith("{"):
            out += "[^/]+"
        else:
            out += re.escape(p)
    return re.compile("^" + out + "$")


def operation_for(spec, method, path):
    bare = path.split("?", 1)[0]
    matches = [t for t in spec["paths"] if template_regex(t).match(bare)]
    # A literal segment beats a parameter: the template with the fewest parameters wins.
    matches.sort(key=lambda t: t.count("{"))
    for t in matches:
        op = spec["paths"][t].get(method.lower())
        if op is None and "{upstream}" in t:
            op = spec["paths"][t].get("get")
        if op is not None:
            return t, method.lower() if method.lower() in spec["paths"][t] else "get", op
    return None, None, None


def resolve(spec, obj):
    while isinstance(obj, dict) and "$ref" in obj and obj["$ref"].startswith("#/components/responses/"):
        obj = spec["components"]["responses"][obj["$ref"].rsplit("/", 1)[1]]
    return obj


class Invalid(Exception):
    pass


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def is_type(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def validate(value, schema, spec, where="$"):
    """The part of JSON Schema 2020-12 the description uses; returns the property names it
    evaluated (for unevaluatedProperties). Raises Invalid naming the keyword and the place."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        seen = validate(value, spec["components"]["schemas"][name], spec, where)
        return seen | validate(value, rest, spec, where)
    seen = set()
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(value, t) for t in types):
            raise Invalid(f"type at {where}")
    if "enum" in schema and value not in schema["enum"]:
        raise Invalid(f"enum at {where}")
    if "const" in schema and value != schema["const"]:
        raise Invalid(f"const at {where}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        raise Invalid(f"pattern at {where}")
    for sub in schema.get("allOf", []):
        seen |= validate(value, sub, spec, where)
    if "oneOf" in schema:
        passing = []
        for sub in schema["oneOf"]:
            try:
                passing.append(validate(value, sub, spec, where))
            except Invalid:
                pass
        if len(passing) != 1:
            raise Invalid(f"oneOf at {where}")
        seen |= passing[0]
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise Invalid(f"required {key} at {where}")
        if len(value) < schema.get("minProperties", 0):
            raise Invalid(f"minProperties at {where}")
        props = schema.get("properties", {})
        for key, sub in props.items():
            if key in value:
                validate(value[key], sub, spec, f"{where}.{key}")
                seen.add(key)
        extra = schema.get("additionalProperties")
        for key in value:
            if key in props:
                continue
            if extra is False:
                raise Invalid(f"additionalProperties {key} at {where}")
            if isinstance(extra, dict):
                validate(value[key], extra, spec, f"{where}.{key}")
                seen.add(key)
        if schema.get("unevaluatedProperties") is False:
            for key in value:
                if key not in seen:
                    raise Invalid(f"unevaluatedProperties {key} at {where}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], spec, f"{where}[{i}]")
    return seen


def spec_probes(spec, probes, prefix=""):
    """The `x-probes` of the description under `prefix`, on the sockets PROBES_JSON uses."""
    sockets = {}
    for p in probes:
        if p["path"].startswith("/v1/admin/"):
            sockets.setdefault("admin", p["socket"])
        elif p["path"].startswith("/v1/headers"):
            sockets.setdefault("client", p["socket"])
    out = []
    for template, ops in spec["paths"].items():
        if not template.startswith(prefix):
            continue
        for method, op in ops.items():
            for x in op.get("x-probes", []) if isinstance(op, dict) else []:
                out.append({"socket": sockets[op["tags"][0]], "method": method.upper(),
                            "path": x.get("path", template), "body": x.get("body"),
                            "content_type": x.get("content_type"), "status": x["status"]})
    return out


def check_headers(label, r, documented, spec, failures):
    for name, header in documented.get("headers", {}).items():
        value = r.getheader(name)
        if value is None:
            if header.get("required"):
                failures.append(f"{label}: header {name} is missing")
            continue
        schema = header.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            continue
        try:
            validate(json.loads(value), schema, spec, name)
        except Invalid as e:
            failures.append(f"{label}: {e}")
        except ValueError:
            failures.append(f"{label}: header {name} is not JSON")


def main():
    spec = yaml.safe_load(open(sys.argv[1]))
    listed = json.load(open(sys.argv[2]))
    prefix = sys.argv[3] if len(sys.argv) > 3 else ""
    extra = spec_probes(spec, listed, prefix)
    probes = listed + extra
    failures, covered = [], set()
    for p in probes:
        label = f'{p["method"]} {p["path"]}'
        template, method, op = operation_for(spec, p["method"], p["path"])
        if op is None:
            failures.append(f"{label}: not documented")
            continue
        covered.add((template, method))
        conn = UnixConnection(p["socket"])
        headers = {}
        body = p.get("body")
        if body is not None:
            headers["Content-Type"] = p.get("content_type") or "application/json"
            body = body.encode()
        conn.request(p["method"], p["path"], body=body, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        if r.status != p["status"]:
            failures.append(f"{label}: status {r.status}, the probe expects {p['status']}")
            continue
        documented = resolve(spec, op["responses"].get(str(r.status)))
        if documented is None:
            failures.append(f"{label}: status {r.status} is not documented")
            continue
        ctype = (r.getheader("Content-Type") or "").split(";")[0].strip()
        content = documented.get("content", {})
        if ctype not in content:
            failures.append(f"{label}: content type {ctype} is not documented for {r.status}")
            continue
        check_headers(label, r, documented, spec, failures)
        if not ctype.endswith("json"):
            continue
        try:
            validate(json.loads(raw), content[ctype].get("schema", {}), spec)
        except Invalid as e:
            # The keyword and the place only: an answer's values may be secrets (a revealed token).
            failures.append(f"{label}: {e}")
        except ValueError:
            failures.append(f"{label}: not JSON")
    uncovered = [f"{m.upper()} {t}" for t, ops in spec["paths"].items() for m in ops
                 if t.startswith(prefix) and m in ("get", "post", "put", "delete", "patch") and (t, m) not in covered]
    print(json.dumps({"probes": len(listed), "spec_probes": len(extra), "failures": failures, "uncovered": uncovered}))


main()
