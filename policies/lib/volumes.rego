# METADATA
# title: volumes
# description: |
#   Where each database keeps its data: the mounts of a service that cover a
#   data directory of its image (from data.portguard.images), and the
#   top-level volume a named mount refers to.
package portguard.lib.volumes

import data.portguard.lib.stack

# covers reports whether a mount at target holds data directory dir: the
# same directory, a parent of it, or a directory inside it.
covers(target, dir) if target == dir

covers(target, dir) if startswith(dir, concat("", [target, "/"]))

covers(target, dir) if startswith(target, concat("", [dir, "/"]))

# databases lists the databases whose image has data directories, with
# those directories.
databases := [{"svc": i, "dirs": dirs} |
	some i, svc in input.services
	stack.category[i] == "database"
	dirs := stack.entry[i].data_dirs
	count(dirs) > 0
]

# data_mounts[i] are the mounts of input.services[i] that hold a data
# directory.
data_mounts := {d.svc: mounts |
	some d in databases
	mounts := [v |
		some v in input.services[d.svc].volumes
		some dir in d.dirs
		covers(v.target, dir)
	]
}

# top_level[[project_file, key]] is the top-level volume key of a project.
top_level := {[v.project_file, v.key]: v | some v in input.volumes}

# data_volumes are the top-level volumes that hold a database's data, with
# the service that uses them.
data_volumes := {[key, i] |
	some i, mounts in data_mounts
	some m in mounts
	m.type == "volume"
	key := [input.services[i].project_file, m.source]
	top_level[key]
}
