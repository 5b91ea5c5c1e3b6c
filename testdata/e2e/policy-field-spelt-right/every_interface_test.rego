package portguard.rules.team.every_interface_test

import data.portguard.rules.team.every_interface

port(host_ip) := {"file": "c.yml", "line": 5, "column": 9, "host_ip": host_ip, "effective": 7000}

test_fail_every_interface if {
	r := every_interface.report with input as {"services": [{"name": "db", "ports": [port("")]}]}
	r == {{
		"rule_id": "TEAM010", "severity": "warning", "service": "db",
		"message": "db publishes 7000 on every interface", "suggestion": "",
		"file": "c.yml", "line": 5, "column": 9, "end_column": 0, "related": [],
	}}
}

test_success_loopback if {
	r := every_interface.report with input as {"services": [{"name": "db", "ports": [port("127.0.0.1")]}]}
	r == set()
}
