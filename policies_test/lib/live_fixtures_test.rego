# METADATA
# title: live fixtures
# description: |
#   Builders of the live section of input documents (input.live) for the
#   DBP8xx tests, mirroring input/live.go field by field.
package portguard.test.live_fixtures

import data.portguard.test.fixtures as fx

# with_live gives d live facts: listeners, containers and volumes of an
# engine that answered.
with_live(d, listeners, containers, volumes) := object.union(d, {"live": {
	"host": "host-1",
	"listeners": listeners,
	"listing": true,
	"list_error": "",
	"docker": {"inspected": true, "host": "unix:///var/run/docker.sock", "api_version": "1.41", "error": ""},
	"containers": containers,
	"volumes": volumes,
}})

# without_engine gives d listeners only: no engine answered.
without_engine(d, listeners) := object.union(d, {"live": {
	"host": "host-1",
	"listeners": listeners,
	"listing": true,
	"list_error": "",
	"docker": {"inspected": false, "host": "", "api_version": "", "error": "Cannot connect to the Docker daemon"},
	"containers": [],
	"volumes": [],
}})

# listener is a socket owned by a visible process.
listener(protocol, ip, port, pid, command) := {
	"protocol": protocol,
	"ip": ip,
	"port": port,
	"pid": pid,
	"command": command,
	"owner_visible": true,
}

# hidden is a socket whose owner this user may not see.
hidden(protocol, ip, port) := {
	"protocol": protocol,
	"ip": ip,
	"port": port,
	"pid": 0,
	"command": "",
	"owner_visible": false,
}

# container is a running container of a compose project and service.
container(name, image, project, service, ports) := {
	"id": "0123456789ab",
	"name": name,
	"image": image,
	"image_repo": fx._image(image).repo,
	"image_name": fx._image(image).name,
	"image_tokens": fx.words(fx._image(image).name),
	"state": "running",
	"running": true,
	"project": project,
	"service": service,
	"tokens": fx.words(_name(service, name)),
	"config_files": [],
	"labels": {},
	"ports": ports,
	"mounts": [],
	"classification": fx.classification(_name(service, name), image),
}

_name(service, name) := service if service != ""

else := name

# stopped is a container that exited.
stopped(c) := object.union(c, {"state": "exited", "running": false, "ports": []})

# from_files says which compose files a container was created from.
from_files(c, files) := object.union(c, {"config_files": files})

# mounting gives a container volume mounts: [name, destination] pairs.
mounting(c, mounts) := object.union(c, {"mounts": [{"type": "volume", "name": n, "destination": d} | some [n, d] in mounts]})

# published is a container port published on the host.
published(host_ip, port, target) := {"host_ip": host_ip, "published": port, "target": target, "protocol": "tcp"}

# volume is a volume of the engine mounted by the containers named.
volume(name, project, key, used_by) := {
	"name": name,
	"driver": "local",
	"project": project,
	"key": key,
	"labels": {},
	"used_by": used_by,
}
