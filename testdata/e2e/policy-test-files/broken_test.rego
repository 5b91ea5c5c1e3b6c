# check never loads *_test.rego: if it did, this file would fail to compile
# (exit 3) and add a finding.
package main

deny contains "loaded from a test file" if true

test_unreachable if {
	http.send({"method": "GET", "url": "https://example.com"})
}
