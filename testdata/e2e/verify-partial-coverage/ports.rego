package main

deny contains sprintf("%s publishes %d", [s.name, p.published]) if {
	some s in input.services
	some p in s.ports
	p.published == 7999
}

# No test reaches this rule.
warn contains sprintf("%s has no ports", [s.name]) if {
	some s in input.services
	count(s.ports) == 0
}
