package team.formatted

import data.portguard.lib.finding
import rego.v1

deny contains msg if {
	some s in input.services
	s.image == "x"
	msg := sprintf("%s uses x", [s.name])
}

# a comment
warn contains msg if {
	msg := "set"
	true
}

default allow := false

allow if input.x == 1
