package main_test

import data.main

test_deny_untagged if {
	main.deny == {"db runs an image without a tag"} with input as {"services": [{"name": "db", "image": "postgres", "ports": []}]}
}

test_warn_every_interface if {
	r := main.warn with input as {"services": [{"name": "db", "image": "postgres:16", "ports": [{"raw": "7000:5432", "host_ip": "", "file": "c.yml", "line": 3, "column": 9}]}]}
	r == {{"msg": "db publishes 7000:5432 on every interface", "file": "c.yml", "line": 3, "column": 9, "service": "db"}}
}
