# Nor make UUIDs (random too).
package main

violation contains msg if {
	id := uuid.rfc4122("x")
	msg := sprintf("%v", [id])
}
