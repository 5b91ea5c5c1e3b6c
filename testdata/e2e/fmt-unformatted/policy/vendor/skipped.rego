package vendored
allow if {true}
