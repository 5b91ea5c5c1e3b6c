# METADATA
# title: volumes
# description: |
#   Where each database keeps its data: the mounts of a service that cover a
#   data directory (from its classification: the image's, or the one its
#   command or environment sets), and the top-level volume a named mount
#   refers to.
package portguard.lib.volumes

import data.portguard.lib.services

# covers reports whether a mount at target holds data directory dir: the
# same directory or a parent of it (a mount on / is not). A mount inside the data directory
# (/var/lib/clickhouse/user_scripts) holds something else: scripts,
# configuration, not the data.
# A data directory may be a glob ("/var/lib/postgresql/*/docker": one
# directory per major version).
covers(target, dir) if glob.match(dir, ["/"], target)

covers(target, dir) if {
	parts := split(dir, "/")
	some k in numbers.range(1, count(parts) - 1)
	glob.match(concat("/", array.slice(parts, 0, k)), ["/"], target)
}

# databases lists the databases that keep data, with their data
# directories (known from the image, its command or its environment).
databases := [{"svc": i, "dirs": dirs} |
	some i, _ in input.services
	c := services.classification_of(i)
	c.category == "database"
	c.keeps_data
	dirs := c.data_dirs
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
# the service that uses them: {svc, volume}, volume an element of
# input.volumes.
data_volumes := {{"svc": i, "volume": v} |
	some i, mounts in data_mounts
	some m in mounts
	m.type == "volume"
	v := top_level[[input.services[i].project_file, m.source]]
}
