# METADATA
# title: fixtures
# description: |
#   Builders of input documents for the Rego unit tests. They mirror
#   input/document.go field by field (null for an unknown published or
#   effective port, variable null when the host port is a literal) and the
#   configuration of input.DefaultConfig(), so that each test writes only
#   what its case is about. Mappings sit at column 9 of the line they are
#   given, as a quoted short-syntax item of a compose file.
package portguard.test.fixtures

# file is the compose file every service is written in unless in_file
# moves it.
file := "docker-compose.yml"

# config is input.DefaultConfig().
config := {
	"ranges": {
		"protected": {"from": 7000, "to": 7999},
		"database": {"from": 7000, "to": 7099},
		"ui": {"from": 7100, "to": 7199},
		"exporter": {"from": 7200, "to": 7299},
		"reserved": {"from": 7300, "to": 7999},
	},
	"compose_files": ["compose*.yml", "compose*.yaml", "docker-compose*.yml", "docker-compose*.yaml"],
	"env_file": ".env",
	"conventions_file": "PORTS-CONVENTION.md",
	"env_loader": "backend/shared/config/load-env.js",
	"categories": {},
	"exceptions": [],
	"disabled_rules": [],
	"severity": {},
	"fail_on": "error",
	"env_var_form": "databases",
	"max_file_size": 10485760,
	"file": "",
}

# --- Documents ---------------------------------------------------------------

# doc is the input document of services. The root .env holds every variable
# that a mapping reads from it (see env), so env.vars agrees with the
# mappings.
doc(services) := {
	"version": 1,
	"root": ".",
	"explicit_files": false,
	"config": config,
	"files": [{"path": f, "project": "stack", "role": "base"} | some f in {s.file | some s in services}],
	"services": services,
	"volumes": [],
	"env": {"file": ".env", "vars": _env_vars(services)},
	"conventions": {"file": "", "rows": []},
	"repo": {"env_files": [".env"], "env_loads": []},
	"unset_variables": [],
	"errors": [],
}

_env_vars(services) := [{"name": v[1], "value": v[2], "app_value": v[3], "line": v[0], "port_like": true} |
	some v in sort({[p.variable.env_line, p.variable.name, p.variable.env_value, p.variable.app_value] |
		some s in services
		some p in s.ports
		is_string(p.variable.env_value)
	})
]

# without_env is d without a root .env or .env.example (a CI clone): the
# mappings of d must read no value from it.
without_env(d) := object.union(d, {"env": {"file": "", "vars": []}, "repo": {"env_files": [], "env_loads": []}})

# with_env_example is d with .env.example standing in for the missing .env.
with_env_example(d) := object.union(d, {
	"env": {"file": ".env.example", "vars": d.env.vars},
	"repo": {"env_files": [".env.example"], "env_loads": []},
	"services": [object.union(s, {"ports": [_from_example(p) | some p in s.ports]}) | some s in d.services],
})

_from_example(p) := object.union(p, {"variable": object.union(p.variable, {"env_file": ".env.example"})}) if {
	is_string(p.variable.env_value)
} else := p

# with_config merges settings into the configuration of d.
with_config(d, settings) := object.union(d, {"config": object.union(d.config, settings)})

# with_rows gives d a PORTS-CONVENTION.md table.
with_rows(d, rows) := object.union(d, {"conventions": {"file": "PORTS-CONVENTION.md", "rows": rows}})

# row is a row of the convention table that documents port for service.
row(port, service, line) := {
	"port": port,
	"port_range": [port, port],
	"service": service,
	"env_var": "",
	"category": "",
	"internal_port": null,
	"section": "Databases (7000-7099)",
	"line": line,
}

# range_row documents a range of ports ("7300-7399").
range_row(from, to, service, line) := object.union(row(from, service, line), {"port": null, "port_range": [from, to]})

# with_volumes gives d top-level volumes.
with_volumes(d, volumes) := object.union(d, {"volumes": volumes})

# volume is a top-level volume key of the compose file, without name:.
volume(key, line) := {
	"key": key,
	"name": "",
	"has_name": false,
	"external": false,
	"labels": {},
	"project": "stack",
	"project_file": file,
	"file": file,
	"line": line,
	"column": 3,
	"end_column": 3 + count(key),
}

# named_volume is a top-level volume with an explicit name:.
named_volume(key, name, line) := object.union(volume(key, line), {"name": name, "has_name": true})

# external_volume is a top-level volume with external: true and a name.
external_volume(key, name, line) := object.union(named_volume(key, name, line), {"external": true})

# with_repo gives d the .env files and dotenv loads found in the repository.
with_repo(d, env_files, env_loads) := object.union(d, {"repo": {"env_files": env_files, "env_loads": env_loads}})

# --- Services ----------------------------------------------------------------

# service is a service written at line of the compose file (its key at
# column 3) with an image and port mappings.
service(name, image, line, ports) := {
	"name": name,
	"project": "stack",
	"project_file": file,
	"file": file,
	"line": line,
	"column": 3,
	"end_column": 3 + count(name),
	"tokens": words(name),
	"image": image,
	"image_repo": _image(image).repo,
	"image_name": _image(image).name,
	"image_tokens": words(_image(image).name),
	"container_name": "",
	"labels": {},
	"x_portguard": {},
	"network_mode": "",
	"profiles": [],
	"ports": [object.union(p, {"file": file}) | some p in ports],
	"volumes": [],
	"environment": [],
	"network_mode_at": null,
	"classification": classification(name, image),
}

# --- Classification ----------------------------------------------------------

# classification is what input.classify gives a service with this name and
# image and nothing else said about it (no label, command or environment),
# for the cases the rule tests use: the image's repository or image name in
# the knowledge base decides; else a service name that is a name of the
# knowledge base is a weak guess, whose ports are not known (its data
# directories are the entry's); else the service is other.
# input/classify_test.go tests the classification itself.
classification(name, image) := _from_entry(id, "image", sprintf("image repository %s", [img.repo]), false) if {
	img := _image(image)
	id := _image_id(img)
} else := object.union(
	_from_entry(id, "name", sprintf("the word %q of the service name %s", [name, name]), true),
	{"ports": []},
) if {
	id := _names[concat("-", words(name))]
} else := object.union(unclassified, {"basis": sprintf("unknown image %s, and no database word ends its name or the service's", [_image(image).repo])}) if {
	image != ""
} else := unclassified

# unclassified is a service that nothing classifies.
unclassified := {
	"category": "other", "kind": "", "family": "", "display": "", "decided_by": "none", "weak": false,
	"basis": "no image, and no database word ends its name",
	"keeps_data": false, "ports": [], "port_names": {}, "data_dirs": [], "listen_env": [], "evidence": [],
}

_repos := {r: id | some id, e in data.portguard.images; some r in object.get(e, "repos", [])}

_names := {concat("-", words(n)): id | some id, e in data.portguard.images; some n in object.get(e, "names", [])}

_image_id(img) := id if id := _repos[img.repo]

else := id if id := _names[concat("-", words(img.name))]

_from_entry(id, by, basis, weak) := {
	"category": e.category,
	"kind": id,
	"family": object.get(e, "family", ""),
	"display": object.get(e, "display", id),
	"decided_by": by,
	"weak": weak,
	"basis": basis,
	"keeps_data": object.get(e, "keeps_data", e.category == "database"),
	"ports": object.get(e, "ports", []),
	"port_names": object.get(e, "port_names", {}),
	"data_dirs": object.get(e, "data_dirs", []),
	"listen_env": [],
	"evidence": [{"kind": by, "detail": basis}],
} if e := data.portguard.images[id]

# classified_as gives a service the category a user names (decided by
# label, x-portguard or config): the image still says what it is.
classified_as(svc, category, by) := object.union(svc, {"classification": object.union(svc.classification, {
	"category": category,
	"decided_by": by,
	"basis": _explicit_basis(by, category, svc.name),
	"weak": false,
	"keeps_data": _keeps(svc.classification, category),
})})

_explicit_basis("label", category, _) := sprintf("label portguard.category=%s", [category])

_explicit_basis("x-portguard", category, _) := sprintf("x-portguard category: %s", [category])

_explicit_basis("config", category, name) := sprintf("categories: {%s: %s} in .portguard.yaml", [name, category])

_keeps(c, "database") := object.get(object.get(data.portguard.images, c.kind, {}), "keeps_data", true)

_keeps(_, category) := false if category != "database"

# with_classification changes what a service is classified as.
with_classification(svc, changes) := object.union(svc, {"classification": object.union(svc.classification, changes)})

# in_file moves a service, its mappings, mounts and environment to another
# compose file of the same directory: the project keeps its name, its base
# file changes.
in_file(svc, f) := object.union(svc, {
	"file": f,
	"project_file": f,
	"ports": [object.union(p, {"file": f}) | some p in svc.ports],
	"volumes": [object.union(v, {"file": f}) | some v in svc.volumes],
	"environment": [object.union(e, {"file": f}) | some e in svc.environment],
})

# with_container_name gives a service a container_name.
with_container_name(svc, name) := object.union(svc, {"container_name": name})

# with_mounts gives a service its volumes: entries (see mount).
with_mounts(svc, mounts) := object.union(svc, {"volumes": [object.union(m, {"file": svc.file}) | some m in mounts]})

# mount is a volumes: item of a service: type volume (named), bind,
# anonymous or tmpfs.
mount(type, source, target, line) := {
	"type": type,
	"source": source,
	"target": target,
	"read_only": false,
	"file": file,
	"line": line,
	"column": 9,
	"end_column": ((9 + count(source)) + count(target)) + 1,
}

# with_environment gives a service its environment: entries (see setting).
with_environment(svc, entries) := object.union(svc, {"environment": [object.union(e, {"file": svc.file}) | some e in entries]})

# setting is an environment entry NAME=value at line, written without a
# variable; refs are the [host, port] pairs found in the value (the value
# itself is "<redacted>" unless the name is port-like).
setting(name, value, line, refs) := {
	"name": name,
	"value": value,
	"file": file,
	"line": line,
	"column": 9,
	"end_column": ((9 + count(name)) + 1) + count(value),
	"uses_variable": false,
	"port_refs": [{"host": h, "port": n} | some [h, n] in refs],
}

# from_variable marks an environment entry as written with ${...}.
from_variable(e) := object.union(e, {"uses_variable": true})

# labeled gives a service labels; the label portguard.category classifies
# it, as input.classify does.
labeled(svc, labels) := classified_as(object.union(svc, {"labels": labels}), labels["portguard.category"], "label") if {
	labels["portguard.category"]
} else := object.union(svc, {"labels": labels})

# in_profiles puts a service in compose profiles.
in_profiles(svc, profiles) := object.union(svc, {"profiles": profiles})

# with_profiles is d checked with --profile for each of names: the
# document holds the enabled services only.
with_profiles(d, names) := object.union(d, {"profiles": names})

# in_project moves a service to a project of its own (another base file).
in_project(svc, f) := object.union(in_file(svc, f), {"project": f})

# with_x gives a service an x-portguard extension; its category classifies
# the service unless a label does.
with_x(svc, x) := classified_as(object.union(svc, {"x_portguard": x}), x.category, "x-portguard") if {
	not svc.labels["portguard.category"]
	x.category
} else := object.union(svc, {"x_portguard": x})

# words are the lowercase words of a name, as input.tokens splits them.
words(s) := [w | some w in regex.split(`[^a-z0-9]+`, lower(s)); w != ""]

# _image reduces an image reference to its repository without registry,
# "library/", tag or digest, and to its last component, as
# input.normalizeImage does.
_image(image) := {"repo": concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [last])), "name": last} if {
	parts := _drop_library(_drop_registry(split(trim(split(lower(trim_space(image)), "@")[0], "/"), "/")))
	last := split(parts[count(parts) - 1], ":")[0]
}

_drop_registry(parts) := array.slice(parts, 1, count(parts)) if {
	count(parts) > 1
	_is_registry(parts[0])
} else := parts

_is_registry(s) if contains(s, ".")

_is_registry(s) if contains(s, ":")

_is_registry("localhost")

_drop_library(parts) := array.slice(parts, 1, count(parts)) if {
	count(parts) > 1
	parts[0] == "library"
} else := parts

# --- Port mappings -----------------------------------------------------------

# literal is "host:target".
literal(line, host, target) := _port(line, sprintf("%d:%d", [host, target]), {
	"published": host,
	"published_range": [host, host],
	"effective": host,
	"effective_range": [host, host],
	"target": target,
})

# random is "target": docker picks the host port.
random(line, target) := _port(line, sprintf("%d", [target]), {"target": target})

# literal_range is "from-to:target".
literal_range(line, from, to, target) := _port(line, sprintf("%d-%d:%d", [from, to, target]), {
	"published": from,
	"published_range": [from, to],
	"effective": from,
	"effective_range": [from, to],
	"target": target,
})

# literal_span is "from-to:target_from-target_to": a range of host ports
# mapped one to one onto a range of container ports (a cluster's nodes).
literal_span(line, from, to, target_from) := object.union(literal_range(line, from, to, target_from), {
	"raw": sprintf("%d-%d:%d-%d", [from, to, target_from, (target_from + to) - from]),
	"target_range": [target_from, (target_from + to) - from],
	"end_column": (9 + count(sprintf("%d-%d:%d-%d", [from, to, target_from, (target_from + to) - from]))) + 2,
})

# var is "${NAME:-default}:target"; value is env(...) when the root .env
# sets NAME, else unset.
var(line, name, dflt, value, target) := var_form(line, ":-", name, dflt, value, target)

# var_form writes the host port with any form of variable: ":-", "-", ":?",
# "?", "" (${NAME}) or "$" ($NAME); arg is the default or the message.
var_form(line, form, name, arg, value, target) := _port(line, sprintf("%s:%d", [_ref(form, name, arg), target]), object.union(
	_ports(_port_number(_default(form, arg)), _port_number(_value(value, _default(form, arg)))),
	{
		"target": target,
		"variable": {
			"name": name,
			"form": form,
			"default": _default(form, arg),
			"has_default": form in {":-", "-"},
			"env_value": object.get(value, "value", null),
			"env_line": object.get(value, "line", 0),
			"env_file": _env_file(value),
			"app_value": object.get(value, "app_value", null),
		},
	},
))

# env is a value of the root .env at line, read alike by docker compose and
# the applications.
env(value, line) := {"value": value, "app_value": value, "line": line}

# env_views is a value that docker compose reads as value and the
# applications' dotenv loaders as app_value.
env_views(value, app_value, line) := {"value": value, "app_value": app_value, "line": line}

# unset is a variable that the root .env does not set.
unset := {}

_ref("$", name, _) := sprintf("$%s", [name])

_ref("", name, _) := sprintf("${%s}", [name])

_ref(form, name, arg) := sprintf("${%s%s%s}", [name, form, arg]) if not form in {"$", ""}

_default(form, arg) := arg if form in {":-", "-"}

else := ""

_value(value, _) := value.value

_value(value, dflt) := dflt if not value.value

_env_file(value) := ".env" if value.value

else := ""

_port_number(s) := to_number(s) if regex.match(`^[0-9]+$`, s)

else := null

_ports(published, effective) := {
	"published": published,
	"published_range": _span(published),
	"effective": effective,
	"effective_range": _span(effective),
}

_span(n) := [n, n] if n != null

else := null

_port(line, raw, facts) := object.union(
	{
		"raw": raw,
		"syntax": "short",
		"file": file,
		"line": line,
		"column": 9,
		"end_column": (9 + count(raw)) + 2,
		"host_ip": "",
		"protocol": "tcp",
		"published": null,
		"published_range": null,
		"target": 0,
		"target_range": [facts.target, facts.target],
		"variable": null,
		"effective": null,
		"effective_range": null,
	},
	facts,
)

# on_ip binds a mapping to a host IP ("127.0.0.1:7000:5432", "[::1]:7000:5432").
on_ip(p, ip) := object.union(p, {"host_ip": ip, "raw": sprintf("%s:%s", [_bracketed(ip), p.raw])})

_bracketed(ip) := sprintf("[%s]", [ip]) if contains(ip, ":")

else := ip

# udp makes a mapping publish UDP ("7000:5432/udp").
udp(p) := object.union(p, {"protocol": "udp", "raw": sprintf("%s/udp", [p.raw])})

# --- Expected findings -------------------------------------------------------

# finding is an expected finding, whole, as lib/finding.rego builds it.
finding(id, severity, loc, service, message, suggestion, related) := {
	"rule_id": id,
	"severity": severity,
	"message": message,
	"suggestion": suggestion,
	"file": loc.file,
	"line": loc.line,
	"column": loc.column,
	"end_column": loc.end_column,
	"service": service,
	"related": related,
}

# at locates a finding at a mapping or a service key.
at(x) := {"file": x.file, "line": x.line, "column": x.column, "end_column": x.end_column}

# loc locates a finding anywhere else (a .env line).
loc(f, line, column, end_column) := {"file": f, "line": line, "column": column, "end_column": end_column}

# related is a related location of a finding.
related(x, message) := {"file": x.file, "line": x.line, "message": message}

# --- Expected fixes ----------------------------------------------------------

# with_fix gives an expected finding its machine fix.
with_fix(f, fix) := object.union(f, {"fix": fix})

# with_no_fix gives an expected finding the reason it has no machine fix.
with_no_fix(f, why) := object.union(f, {"no_fix": why})

# fix is a machine fix: edits of compose scalars, .env variables and rows
# of the convention table (see policies/lib/fix.rego).
fix(edits, env, rows) := {"edits": edits, "env": env, "rows": rows}

# edit rewrites the scalar of mapping p to text, after which the mapping
# publishes port.
edit(p, text, port) := {
	"file": p.file,
	"line": p.line,
	"column": p.column,
	"end_column": p.end_column,
	"old": p.raw,
	"text": text,
	"port": port,
}

# set_env sets name=value in the root .env.
set_env(name, value) := {"file": ".env", "name": name, "value": value}

# add_row documents port in PORTS-CONVENTION.md.
add_row(port, service, env_var, category, internal_port) := {
	"file": "PORTS-CONVENTION.md",
	"port": port,
	"service": service,
	"env_var": env_var,
	"category": category,
	"internal_port": internal_port,
}

# move_row moves the row at line, which documents old, to port.
move_row(row, line, old) := object.union(row, {"line": line, "replaces": old})

# remove_row removes the row at line, which documents old: the mapping
# moves to port, which another row documents already.
remove_row(row, line, old) := object.union(move_row(row, line, old), {"remove": true})
