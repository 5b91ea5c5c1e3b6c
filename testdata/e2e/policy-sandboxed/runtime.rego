# Nor read the environment (secrets) through opa.runtime.
package main

violation contains msg if {
	env := opa.runtime().env
	msg := sprintf("%v", [env])
}
