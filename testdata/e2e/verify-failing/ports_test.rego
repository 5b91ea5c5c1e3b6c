package main_test

import data.main

test_deny_7999 if {
	main.deny == {"db publishes 7999"} with input as {"services": [{"name": "db", "ports": [{"published": 7999}]}]}
}

# This test is wrong on purpose: verify must report it with its location.
test_deny_7000 if {
	main.deny == {"db publishes 7000"} with input as {"services": [{"name": "db", "ports": [{"published": 7000}]}]}
}
