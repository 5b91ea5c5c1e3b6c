# A policy from a pull request must not reach the network.
package main

deny contains msg if {
	resp := http.send({"method": "GET", "url": "https://example.com/allowed-ports"})
	msg := sprintf("%v", [resp.status_code])
}
