// Package benchgen writes deterministic synthetic repositories for
// benchmarks and scale tests: compose files mixing databases (multi-port
// ones too), UIs, exporters and applications, short and long port syntax,
// ${VAR:-default} mappings, named volumes, environment blocks, a root .env,
// a PORTS-CONVENTION.md, and a chosen fraction of injected violations
// listed in violations.json.
package benchgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Spec describes a repository to generate.
type Spec struct {
	Files    int     // compose files
	Services int     // services in all
	Violate  float64 // fraction of services given one injected violation (0..1)
	// Seed 0 is the benchmark's repository, its violations listed; any
	// other seed draws a varied repository from it (varied.go), whose
	// violations are not listed.
	Seed uint64
}

// Violation is one injected violation: the rule that must report it, and
// where.
type Violation struct {
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Service string `json:"service"`
}

// kind is a service template.
type kind struct {
	name, image string
	targets     []int
	category    string
	dataDir     string
}

var (
	databases = []kind{
		{"postgres", "postgres:16", []int{5432}, "database", "/var/lib/postgresql/data"},
		{"redis", "redis:7", []int{6379}, "database", "/data"},
		{"questdb", "questdb/questdb:8", []int{9000, 9009, 8812}, "database", "/var/lib/questdb"},
		{"qdrant", "qdrant/qdrant:v1", []int{6333, 6334}, "database", "/qdrant/storage"},
		{"mongo", "mongo:7", []int{27017}, "database", "/data/db"},
	}
	uis       = []kind{{"pgadmin", "dpage/pgadmin4:8", []int{80}, "ui", ""}, {"adminer", "adminer:4", []int{8080}, "ui", ""}}
	exporters = []kind{{"pgexporter", "prometheuscommunity/postgres-exporter:v0.15.0", []int{9187}, "exporter", ""}, {"redisexporter", "oliver006/redis_exporter:v1.58.0", []int{9121}, "exporter", ""}}
)

// Generate writes the repository under dir and returns the injected
// violations (none listed for a varied one). The same spec always gives
// the same bytes.
func Generate(dir string, spec Spec) ([]Violation, error) {
	if spec.Files < 1 || spec.Services < 1 {
		return nil, fmt.Errorf("benchgen: need at least one file and one service")
	}
	if spec.Seed != 0 {
		return nil, generateVaried(dir, spec)
	}
	g := &generator{spec: spec, next: map[string]int{"database": 7000, "ui": 7100, "exporter": 7200}, count: map[string]int{}, app: 20000, stray: 7300}
	files := make([]strings.Builder, spec.Files)
	vols := make([][]string, spec.Files)
	for i := 0; i < spec.Services; i++ {
		f := i % spec.Files
		path := composePath(f)
		svc, vol := g.service(i, path)
		files[f].WriteString(svc)
		if vol != "" {
			vols[f] = append(vols[f], vol)
		}
	}
	for f := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "# generated stack %d\nname: stack%d\nservices:\n", f, f)
		b.WriteString(files[f].String())
		if len(vols[f]) > 0 {
			b.WriteString("volumes:\n")
			for _, v := range vols[f] {
				fmt.Fprintf(&b, "  %s:\n    name: %s\n    external: true\n", v, v)
			}
		}
		if err := write(dir, composePath(f), b.String()); err != nil {
			return nil, err
		}
	}
	if err := write(dir, ".env", g.env.String()); err != nil {
		return nil, err
	}
	if err := write(dir, "PORTS-CONVENTION.md", g.table()); err != nil {
		return nil, err
	}
	sort.Slice(g.violations, func(i, j int) bool {
		a, b := g.violations[i], g.violations[j]
		return a.File+a.Service+a.Rule < b.File+b.Service+b.Rule
	})
	raw, _ := json.MarshalIndent(g.violations, "", "  ")
	if err := write(dir, "violations.json", string(raw)+"\n"); err != nil {
		return nil, err
	}
	return g.violations, nil
}

func composePath(f int) string {
	return fmt.Sprintf("stacks/s%03d/docker-compose.yml", f)
}

type generator struct {
	spec       Spec
	next       map[string]int
	count      map[string]int
	app        int
	stray      int
	env        strings.Builder
	rows       []string
	violations []Violation
}

// injected says whether service i carries a violation: a deterministic
// spread of the chosen fraction.
func (g *generator) injected(i int) bool {
	return g.spec.Violate > 0 && float64((i*7919)%1000) < g.spec.Violate*1000
}

func (g *generator) service(i int, file string) (string, string) {
	k := g.kindOf(i)
	name := fmt.Sprintf("%s-%d", k.name, i)
	upper := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	var b strings.Builder
	fmt.Fprintf(&b, "  %s:\n    image: %s\n", name, k.image)
	violate := g.injected(i)
	b.WriteString("    ports:\n")
	for j, target := range k.targets {
		v := upper + "_PORT"
		if j > 0 {
			v = fmt.Sprintf("%s_%d_PORT", upper, target)
		}
		if k.category == "other" {
			port := g.app
			g.app++
			// An application inside the database range, each on a port of
			// its own in the reserved range while there is one (so the
			// violations do not also collide with each other).
			if violate && j == 0 && g.stray <= 7999 {
				port = g.stray
				g.stray++
				// It is also a port of the protected range the table does not list.
				g.violations = append(g.violations, Violation{"DBP102", file, name}, Violation{"DBP501", file, name})
			}
			fmt.Fprintf(&b, "      - \"%d:%d\"\n", port, target)
			continue
		}
		port := g.next[k.category]
		g.next[k.category]++
		g.rows = append(g.rows, fmt.Sprintf("| %d | %s | %s | %s |", port, name, v, k.category))
		switch {
		case violate && j == 0:
			// A hard-coded host port.
			fmt.Fprintf(&b, "      - \"%d:%d\"\n", port, target)
			g.violations = append(g.violations, Violation{"DBP201", file, name})
		case j%2 == 1:
			fmt.Fprintf(&b, "      - target: %d\n        published: \"${%s:-%d}\"\n", target, v, port)
			fmt.Fprintf(&g.env, "%s=%d\n", v, port)
		default:
			fmt.Fprintf(&b, "      - \"${%s:-%d}:%d\"\n", v, port, target)
			fmt.Fprintf(&g.env, "%s=%d\n", v, port)
		}
	}
	b.WriteString("    environment:\n")
	fmt.Fprintf(&b, "      SERVICE_NAME: %s\n      LOG_LEVEL: info\n", name)
	if k.category == "other" {
		fmt.Fprintf(&b, "      DATABASE_URL: postgres://app:secret@postgres-0:5432/app\n")
	}
	vol := ""
	if k.dataDir != "" {
		vol = name + "-data"
		fmt.Fprintf(&b, "    volumes:\n      - %s:%s\n", vol, k.dataDir)
	}
	return b.String(), vol
}

// kindOf spreads the kinds: about 1 in 10 services is a database, 1 in 20
// a UI, 1 in 20 an exporter, while their sub-ranges have room; the rest are
// applications. Instances of one type come in one run, so their ports are
// sequential as the convention wants.
func (g *generator) kindOf(i int) kind {
	app := kind{"app", "node:20", []int{3000}, "other", ""}
	var pool []kind
	var n int
	switch {
	case i%10 == 0:
		pool, n = databases, g.count["database"]
	case i%20 == 1:
		pool, n = uis, g.count["ui"]
	case i%20 == 2:
		pool, n = exporters, g.count["exporter"]
	default:
		return app
	}
	k := pool[min(n/runLength(pool), len(pool)-1)]
	limit := map[string]int{"database": 7099, "ui": 7199, "exporter": 7299}[k.category]
	if g.next[k.category]+len(k.targets)-1 > limit {
		return app
	}
	g.count[k.category]++
	return k
}

// runLength is how many instances of each kind fill their sub-range in
// equal shares.
func runLength(pool []kind) int {
	ports := 0
	for _, k := range pool {
		ports += len(k.targets)
	}
	return max(1, 100/ports)
}

func (g *generator) table() string {
	var b strings.Builder
	b.WriteString("# Ports\n\n| Port | Service | Env var | Category |\n|---|---|---|---|\n")
	for _, r := range g.rows {
		b.WriteString(r + "\n")
	}
	return b.String()
}

func write(dir, rel, content string) error {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), 0o644)
}
