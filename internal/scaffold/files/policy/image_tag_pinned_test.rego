package portguard.test.rules.custom.image_tag_pinned

import data.portguard.rules.custom.image_tag_pinned

_input(image) := {"services": [{
	"name": "db",
	"file": "docker-compose.yml",
	"line": 3,
	"column": 3,
	"end_column": 5,
	"image": image,
}]}

_finding(image, repo) := {
	"rule_id": "CUSTOM001",
	"severity": "warning",
	"message": sprintf("db runs %s, which has no pinned version", [image]),
	"suggestion": sprintf("pin %s to a version tag or a digest", [repo]),
	"file": "docker-compose.yml",
	"line": 3,
	"column": 3,
	"end_column": 5,
	"service": "db",
	"related": [],
}

test_fail_latest if {
	r := image_tag_pinned.report with input as _input("postgres:latest")
	r == {_finding("postgres:latest", "postgres")}
}

test_fail_no_tag if {
	r := image_tag_pinned.report with input as _input("registry.local:5000/team/postgres")
	r == {_finding("registry.local:5000/team/postgres", "registry.local:5000/team/postgres")}
}

test_success_version_tag if {
	r := image_tag_pinned.report with input as _input("timescale/timescaledb:2.17.2-pg16")
	r == set()
}

test_success_digest if {
	r := image_tag_pinned.report with input as _input("postgres@sha256:4ec37d2a07a0067f176fdcc9d4bb633a5724d2cc4f892c7a2046d054bb6939e5")
	r == set()
}

test_success_no_image if {
	r := image_tag_pinned.report with input as _input("")
	r == set()
}
