# METADATA
# title: Running container publishes other ports than its compose file says
# description: |
#   On the running host, a container that docker compose started publishes
#   other host ports than its service's compose file now says: the file
#   changed and the stack was not recreated, so the convention the file
#   follows is not what runs. The container is matched to its service by
#   the compose project and service labels (and, among variants of the
#   service in several files, by the files it was created from); services
#   whose ports are unknown or ranges are not compared.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp805
#     description: DBP805 in the rule reference
# custom:
#   id: DBP805
#   severity: warning
#   remediation: Recreate the service from its compose file (docker compose up -d SERVICE), or revert the file if the running ports are the right ones.
#   tags: [live, ports, drift]
package portguard.rules.live.port_drift

import data.portguard.lib.finding
import data.portguard.lib.live

report contains finding.new(rego.metadata.chain(), object.union(finding.at(svc), {
	"service": svc.name,
	"message": sprintf("container %s publishes %s; %s now says %s: the service was not recreated after the change", [c.name, _text(running), svc.file, _text(_wanted(svc))]),
	"suggestion": sprintf("recreate it: docker compose up -d %s", [svc.name]),
})) if {
	some c in live.containers
	c.project != ""
	variants := _variants(c)
	count(variants) > 0
	running := {[p.published, p.target, p.protocol] | some p in c.ports}
	every v in variants {
		_wanted(v) != running
	}
	svc := variants[0]
	every v in variants {
		_comparable(v)
	}
}

# _variants are the services a container was created from: same project
# and service name, narrowed to the files the container names when one of
# them is among those files.
_variants(c) := named if {
	all := _candidates(c)
	named := [s | some s in all; s.project_file in c.config_files]
	count(named) > 0
} else := _candidates(c)

_candidates(c) := [s |
	some s in input.services
	s.name == c.service
	s.project == c.project
]

# _comparable reports whether every host and container port of a service
# is one known number.
_comparable(svc) if {
	every p in svc.ports {
		is_array(p.effective_range)
		p.effective_range[0] == p.effective_range[1]
		p.target_range[0] == p.target_range[1]
	}
}

_wanted(svc) := {[p.effective, p.target, p.protocol] | some p in svc.ports}

_text(ports) := "no port" if count(ports) == 0

else := concat(", ", [sprintf("%d->%d/%s", [published, target, protocol]) | some [published, target, protocol] in sort(ports)])
