# Nor draw random numbers.
package main

warn contains msg if {
	n := rand.intn("seed", 10)
	msg := sprintf("%v", [n])
}
