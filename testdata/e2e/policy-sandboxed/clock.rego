# Nor read the clock: a check gives the same answer every run.
package main

deny contains msg if {
	now := time.now_ns()
	msg := sprintf("%v", [now])
}
