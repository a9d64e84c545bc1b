#!/usr/bin/env python3
"""Generate a catalog of N entities with realistic relations, for bench/catalog.sh.

Usage: gen_catalog.py N OUTDIR

Writes OUTDIR/all.yaml (a Location listing every file) and OUTDIR/part-*.yaml
with 1000 entities each: an organisation of teams and users, domains and
systems, components that own, provide and consume APIs and depend on
resources. Prints the entity count per kind as JSON on stdout.
"""
import json
import os
import random
import sys

PER_FILE = 1000


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(7)
    os.makedirs(out, exist_ok=True)
    teams = max(5, n // 200)
    users = n // 10
    domains = max(1, n // 1000)
    systems = max(3, n // 100)
    apis = n // 10
    resources = n // 20
    components = n - (teams + 1 + users + domains + systems + apis + resources)
    docs = []

    docs.append(group("acme", "organization", None, [f"team-{i}" for i in range(teams)]))
    for i in range(teams):
        docs.append(group(f"team-{i}", "team", "acme", []))
    for i in range(users):
        docs.append(entity("User", f"user-{i}", {"memberOf": [f"team-{i % teams}"],
                                                  "profile": {"displayName": f"User {i}",
                                                              "email": f"user-{i}@acme.example"}}))
    for i in range(domains):
        docs.append(entity("Domain", f"domain-{i}", {"owner": f"team-{i % teams}"}))
    for i in range(systems):
        docs.append(entity("System", f"system-{i}", {"owner": f"team-{i % teams}",
                                                     "domain": f"domain-{i % domains}"}))
    for i in range(apis):
        docs.append(entity("API", f"api-{i}", {
            "type": rnd.choice(["openapi", "grpc", "asyncapi", "graphql"]),
            "lifecycle": rnd.choice(["production", "experimental", "deprecated"]),
            "owner": f"team-{i % teams}", "system": f"system-{i % systems}",
            "definition": "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n"}))
    for i in range(resources):
        docs.append(entity("Resource", f"resource-{i}", {
            "type": rnd.choice(["database", "s3-bucket", "queue", "cache"]),
            "owner": f"team-{i % teams}", "system": f"system-{i % systems}"}))
    for i in range(components):
        spec = {"type": rnd.choice(["service", "website", "library"]),
                "lifecycle": rnd.choice(["production", "experimental", "deprecated"]),
                "owner": f"team-{i % teams}", "system": f"system-{i % systems}"}
        if apis:
            spec["providesApis"] = [f"api-{i % apis}"]
            spec["consumesApis"] = [f"api-{rnd.randrange(apis)}"]
        if resources:
            spec["dependsOn"] = [f"resource:resource-{rnd.randrange(resources)}"]
        docs.append(entity("Component", f"component-{i}", spec,
                           tags=rnd.sample(["java", "python", "go", "rust", "web", "data"], 2)))

    files = []
    for start in range(0, len(docs), PER_FILE):
        name = f"part-{start // PER_FILE:05d}.yaml"
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("".join("---\n" + json.dumps(d, indent=1) + "\n" for d in docs[start:start + PER_FILE]))
        files.append(name)
    with open(os.path.join(out, "all.yaml"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"apiVersion": "backstage.io/v1alpha1", "kind": "Location",
                            "metadata": {"name": "bench-catalog"},
                            "spec": {"targets": [f"./{x}" for x in files]}}, indent=1))
    counts = {}
    for d in docs:
        counts[d["kind"]] = counts.get(d["kind"], 0) + 1
    counts["Location"] = 2  # all.yaml's Location and the registered root
    counts["files"] = len(files)
    print(json.dumps(counts))


def entity(kind, name, spec, tags=None):
    meta = {"name": name, "description": f"{kind} {name}"}
    if tags:
        meta["tags"] = tags
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": meta, "spec": spec}


def group(name, typ, parent, children):
    spec = {"type": typ, "children": children}
    if parent:
        spec["parent"] = parent
    return entity("Group", name, spec)


if __name__ == "__main__":
    main()
