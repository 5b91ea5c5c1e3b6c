package main_test

import data.main

test_deny_7999 if {
	main.deny == {"db publishes 7999"} with input as {"services": [{"name": "db", "ports": [{"published": 7999}]}]}
}
