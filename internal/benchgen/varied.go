package benchgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A varied repository (Spec.Seed != 0) is drawn from the seed: the kinds
// of services (backups too), the syntax of each mapping (short, long, a
// host IP, a protocol, a bare variable), the .env, the table's rows, the
// volumes and the environment, and, for the chosen fraction of services,
// one of many kinds of violation. Its findings are not listed: it feeds
// tests that compare two evaluators of the same rules, which need inputs
// reaching every rule, not a list of what each should say.

// flaw is a violation a varied service can carry.
type flaw int

const (
	flawNone flaw = iota
	flawHardcoded
	flawNoDefault
	flawNotInEnv
	flawEnvDiffers
	flawEnvViews
	flawOutsideRange
	flawInRange
	flawDuplicate
	flawContainerPort
	flawNoRow
	flawRowPort
	flawStrayRow
	flawBindMount
	flawUnnamedVolume
	flawLocalhostURL
	flawPortInEnv
	flawIgnored
	flawIgnoredNoReason
	flawEphemeral
	flawEphemeralLabel
	flawCount
)

var (
	extraKinds = []kind{
		{"mysql", "mysql:8", []int{3306}, "database", "/var/lib/mysql"},
		{"timescaledb", "timescale/timescaledb:2.16.1-pg16", []int{5432}, "database", "/var/lib/postgresql/data"},
		{"memcached", "memcached:1.6", []int{11211}, "other", ""},
	}
	appKind = kind{"app", "node:20", []int{3000}, "other", ""}
)

// varied is the state of one varied repository.
type varied struct {
	r          *rand.Rand
	spec       Spec
	next       map[string]int
	published  []int
	env, rows  strings.Builder
	volumes    []string
	unnamedVol []string
}

func generateVaried(dir string, spec Spec) error {
	v := &varied{
		r:    rand.New(rand.NewPCG(spec.Seed, uint64(spec.Services)<<8|uint64(spec.Files))),
		spec: spec,
		next: map[string]int{"database": 7000, "ui": 7100, "exporter": 7200, "other": 20000},
	}
	files := make([]strings.Builder, spec.Files)
	vols := make([][]string, spec.Files)
	unnamed := make([][]string, spec.Files)
	for i := 0; i < spec.Services; i++ {
		f := i % spec.Files
		k := v.kind()
		name := fmt.Sprintf("%s-%d", k.name, i)
		files[f].WriteString(v.service(name, k))
		if k.category == "database" && v.r.IntN(4) == 0 {
			// A backup next to its primary.
			files[f].WriteString(v.service(name+"-backup", k))
		}
		vols[f], unnamed[f] = append(vols[f], v.volumes...), append(unnamed[f], v.unnamedVol...)
		v.volumes, v.unnamedVol = nil, nil
	}
	for f := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "name: stack%d\nservices:\n%s", f, files[f].String())
		if len(vols[f])+len(unnamed[f]) > 0 {
			b.WriteString("volumes:\n")
		}
		for _, vol := range vols[f] {
			fmt.Fprintf(&b, "  %s:\n    name: %s\n    external: true\n", vol, vol)
		}
		for _, vol := range unnamed[f] {
			fmt.Fprintf(&b, "  %s: {}\n", vol)
		}
		if err := write(dir, composePath(f), b.String()); err != nil {
			return err
		}
	}
	if err := write(dir, ".env", v.env.String()); err != nil {
		return err
	}
	table := "# Ports\n\n| Port | Service | Env var | Category |\n|---|---|---|---|\n" + v.rows.String()
	return write(dir, "PORTS-CONVENTION.md", table)
}

// kind draws a service's kind: about a third databases, a tenth each UIs
// and exporters, the rest applications and caches.
func (v *varied) kind() kind {
	switch n := v.r.IntN(20); {
	case n < 6:
		all := append(append([]kind{}, databases...), extraKinds[:2]...)
		return all[v.r.IntN(len(all))]
	case n < 8:
		return uis[v.r.IntN(len(uis))]
	case n < 10:
		return exporters[v.r.IntN(len(exporters))]
	case n < 11:
		return extraKinds[2]
	}
	return appKind
}

// service is one service's text; its named volumes are left in v.volumes
// and v.unnamedVol.
func (v *varied) service(name string, k kind) string {
	bad := flawNone
	if v.r.Float64() < v.spec.Violate {
		bad = flaw(1 + v.r.IntN(int(flawCount)-1))
	}
	upper := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	var b strings.Builder
	fmt.Fprintf(&b, "  %s:\n    image: %s\n", name, k.image)
	b.WriteString(exception(bad))
	b.WriteString("    ports:\n")
	if bad >= flawIgnored {
		bad = flawHardcoded // what the exception is about
	}
	for j, target := range k.targets {
		variable := upper + "_PORT"
		if j > 0 {
			variable = fmt.Sprintf("%s_%d_PORT", upper, target)
		}
		if j > 0 {
			bad = flawNone // one violation per service, on its first port
		}
		port := v.port(k, bad)
		if bad == flawContainerPort {
			target++
		}
		b.WriteString(v.mapping(variable, port, target, bad))
		v.row(name, variable, port, k.category, bad)
	}
	b.WriteString(v.environment(name, k, bad))
	b.WriteString(v.volume(name, k, bad))
	return b.String()
}

// port is the host port of a mapping: the next of its kind's sub-range,
// or a wrong one.
func (v *varied) port(k kind, bad flaw) int {
	var port int
	switch {
	case bad == flawOutsideRange:
		port = 5000 + v.r.IntN(900)
	case bad == flawInRange:
		port = 7000 + v.r.IntN(1000)
	case bad == flawDuplicate && len(v.published) > 0:
		port = v.published[v.r.IntN(len(v.published))]
	default:
		port = v.next[k.category]
		v.next[k.category]++
	}
	v.published = append(v.published, port)
	return port
}

// mapping is one entry of ports: in one of several syntaxes, and its
// variable's line in the .env.
func (v *varied) mapping(variable string, port, target int, bad flaw) string {
	host := fmt.Sprintf("${%s:-%d}", variable, port)
	switch bad {
	case flawHardcoded:
		host = fmt.Sprint(port)
	case flawNoDefault:
		host = "${" + variable + "}"
	}
	switch bad {
	case flawNotInEnv, flawHardcoded:
	case flawEnvDiffers:
		fmt.Fprintf(&v.env, "%s=%d\n", variable, port+50)
	case flawEnvViews:
		fmt.Fprintf(&v.env, "%s=${BASE_PORT:-%d}\n", variable, port)
	default:
		fmt.Fprintf(&v.env, "%s=%d\n", variable, port)
	}
	switch v.r.IntN(6) {
	case 0:
		return fmt.Sprintf("      - target: %d\n        published: \"%s\"\n", target, host)
	case 1:
		return fmt.Sprintf("      - target: %d\n        host_ip: 127.0.0.1\n        published: \"%s\"\n        protocol: tcp\n", target, host)
	case 2:
		return fmt.Sprintf("      - \"127.0.0.1:%s:%d\"\n", host, target)
	case 3:
		return fmt.Sprintf("      - \"%s:%d/tcp\"\n", host, target)
	}
	return fmt.Sprintf("      - \"%s:%d\"\n", host, target)
}

// row documents a mapping in the table, or not, or wrongly.
func (v *varied) row(name, variable string, port int, category string, bad flaw) {
	if category == "other" && port >= 20000 {
		return // applications outside the reserved range are not documented
	}
	switch bad {
	case flawNoRow:
		return
	case flawRowPort:
		port += 1 + v.r.IntN(3)
	case flawStrayRow:
		fmt.Fprintf(&v.rows, "| %d | %s-gone | %s_GONE | %s |\n", 7900+v.r.IntN(99), name, variable, category)
	}
	fmt.Fprintf(&v.rows, "| %d | %s | `%s` | %s |\n", port, name, variable, category)
}

func (v *varied) environment(name string, k kind, bad flaw) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    environment:\n      SERVICE_NAME: %s\n", name)
	switch {
	case bad == flawLocalhostURL:
		fmt.Fprintf(&b, "      DATABASE_URL: postgres://app@localhost:%d/app\n", 7000+v.r.IntN(20))
	case bad == flawPortInEnv:
		fmt.Fprintf(&b, "      DB_PORT: %d\n", 7000+v.r.IntN(20))
	case k.category == "other":
		b.WriteString("      DATABASE_URL: postgres://app@postgres-0:5432/app\n")
	}
	return b.String()
}

// volume is the data volume of a database (a named one, an unnamed one or
// a bind mount).
func (v *varied) volume(name string, k kind, bad flaw) string {
	if k.dataDir == "" {
		return ""
	}
	vol := name + "-data"
	switch bad {
	case flawBindMount:
		return fmt.Sprintf("    volumes:\n      - ./%s:%s\n", vol, k.dataDir)
	case flawUnnamedVolume:
		v.unnamedVol = append(v.unnamedVol, vol)
	default:
		v.volumes = append(v.volumes, vol)
	}
	return fmt.Sprintf("    volumes:\n      - %s:%s\n", vol, k.dataDir)
}

// exception is a service's x-portguard or labels: an exception (with its
// reason or without), or an ephemeral database.
func exception(bad flaw) string {
	switch bad {
	case flawIgnored:
		return "    x-portguard:\n      ignore: [DBP201, DBP101]\n      reason: the vendor image pins its port\n"
	case flawIgnoredNoReason:
		return "    x-portguard:\n      ignore: [DBP201]\n"
	case flawEphemeral:
		return "    x-portguard:\n      ephemeral: true\n      reason: a test database\n"
	case flawEphemeralLabel:
		return "    labels:\n      portguard.ephemeral: \"true\"\n"
	}
	return ""
}
