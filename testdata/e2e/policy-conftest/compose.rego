# A conftest-style policy: no METADATA, messages as strings or objects.
package main

import rego.v1

# A string message: the finding points at the first compose file.
deny contains msg if {
	some s in input.services
	not contains(s.image, ":")
	msg := sprintf("%s runs an image without a tag", [s.name])
}

# An object message with its own location.
warn contains {"msg": msg, "file": p.file, "line": p.line, "column": p.column, "service": s.name} if {
	some s in input.services
	some p in s.ports
	p.host_ip == ""
	msg := sprintf("%s publishes %s on every interface", [s.name, p.raw])
}

# Blocked images come from --data.
violation_blocked contains {"msg": sprintf("%s runs the blocked image %s", [s.name, s.image]), "file": s.file, "line": s.line} if {
	some s in input.services
	some blocked in object.get(data.portguard, ["team", "blocked_images"], [])
	startswith(s.image, blocked)
}
