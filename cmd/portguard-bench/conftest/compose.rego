# The policy portguard is compared with (make bench-compare): five rules of
# the port convention written for `conftest test --combine` over the same
# compose files, as a user without portguard would write them. Its input is
# conftest's combined document: [{"path": ..., "contents": ...}, ...].
package main

import rego.v1

categories := {
	"database": {
		"postgres", "redis", "mongo", "mysql", "mariadb", "questdb", "qdrant",
		"clickhouse-server", "elasticsearch", "cassandra", "influxdb",
	},
	"ui": {"pgadmin4", "adminer", "redisinsight", "mongo-express"},
	"exporter": {"postgres-exporter", "redis_exporter", "mongodb-exporter", "mysqld-exporter"},
}

# The sub-range of each category in the protected range 7000-7999.
ranges := {"database": [7000, 7099], "ui": [7100, 7199], "exporter": [7200, 7299]}

# mappings holds one entry per published port: where it is, its host part
# as written, the port it resolves to (a ${VAR:-default}'s default) and the
# service's category.
mappings contains m if {
	some file in input
	some name, svc in file.contents.services
	some p in svc.ports
	host := host_part(p)
	m := {
		"file": file.path, "service": name, "host": host,
		"port": resolved(host), "category": category(svc.image),
	}
}

category(image) := c if {
	some c, names in categories
	names[image_name(image)]
} else := "other"

# image_name is an image reference without registry, path and tag.
image_name(image) := name if {
	parts := split(image, "/")
	name := split(parts[count(parts) - 1], ":")[0]
}

host_part(p) := sprintf("%v", [p.published]) if is_object(p)

host_part(p) := h if {
	is_string(p)
	match := regex.find_all_string_submatch_n(`^(?:[0-9.]+:)?(\$\{[^}]*\}|[0-9]+):[0-9]+`, p, 1)
	h := match[0][1]
}

resolved(host) := to_number(d) if {
	startswith(host, "${")
	d := trim_suffix(split(host, ":-")[1], "}")
}

resolved(host) := to_number(host) if regex.match(`^[0-9]+$`, host)

# 1. A database's (or its UI's, or exporter's) host port comes from a
# variable.
deny contains msg if {
	some m in mappings
	m.category != "other"
	regex.match(`^[0-9]+$`, m.host)
	msg := sprintf("%s: %s: hard-coded host port %s", [m.file, m.service, m.host])
}

# 2. A port variable has a default.
deny contains msg if {
	some m in mappings
	startswith(m.host, "${")
	not contains(m.host, ":-")
	msg := sprintf("%s: %s: %s has no default", [m.file, m.service, m.host])
}

# 3. Databases, their UIs and exporters publish in their sub-range.
deny contains msg if {
	some m in mappings
	[low, high] := ranges[m.category]
	not in_range(m.port, low, high)
	msg := sprintf("%s: %s: %s on %v, outside %v-%v", [m.file, m.service, m.category, m.port, low, high])
}

# 4. Nothing else publishes in the protected range 7000-7999.
deny contains msg if {
	some m in mappings
	m.category == "other"
	in_range(m.port, 7000, 7999)
	msg := sprintf("%s: %s: %v is in the database range", [m.file, m.service, m.port])
}

# 5. No host port is published twice. (port is a variable so that OPA
# indexes the comprehension on it: linear, not quadratic.)
deny contains msg if {
	some m in mappings
	port := m.port
	users := [sprintf("%s %s", [n.file, n.service]) | some n in mappings; n.port == port]
	count(users) > 1
	msg := sprintf("%s: %s: host port %v is also published by %v", [m.file, m.service, port, users])
}

in_range(port, low, high) if {
	port >= low
	port <= high
}
