package main

deny contains sprintf("%s publishes %d", [s.name, p.published]) if {
	some s in input.services
	some p in s.ports
	p.published == 7999
}
