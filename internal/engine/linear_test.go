package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/input"
)

// TestPlanWorkIsLinear counts the loop iterations of the plan over two
// repositories, one four times the size of the other, that take the
// rules' costly paths: backups by name, mappings sharing host ports, table
// rows naming services that do not exist, references to other services
// and to localhost, variants of a service in several files. The plan has
// no comprehension index (topdown's), so a grouping written as a
// comprehension filtering a list per key costs a pass per key: quadratic.
// The count does not depend on the machine's speed.
func TestPlanWorkIsLinear(t *testing.T) {
	eng, _ := evaluators(t)
	plan := eng.eval.(*planEvaluator)
	steps := func(apps int) int64 {
		dir := t.TempDir()
		writeCostlyRepo(t, dir, apps)
		doc, err := input.Load(input.Options{Root: dir})
		if err != nil {
			t.Fatal(err)
		}
		value, err := toValue(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, n, err := plan.rules.EvalSteps(context.Background(), value, plan.data, 2)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	small, large := steps(250), steps(1000)
	ratio := float64(large) / float64(small)
	t.Logf("%d and %d loop iterations: %.2fx for 4x the services", small, large, ratio)
	if ratio > 4.6 {
		t.Errorf("4x the services cost %.2fx the work: some rule is not linear", ratio)
	}
}

// writeCostlyRepo writes a repository of 40 databases on shared ports,
// their backups, a convention table with rows for services that do not
// exist, and apps applications (in files of 50) that reference the
// databases and localhost, half of them with a replica named after them
// and a variant in an override file.
func writeCostlyRepo(t *testing.T, dir string, apps int) {
	t.Helper()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var dbs, env, table strings.Builder
	dbs.WriteString("services:\n")
	table.WriteString("| Port | Service | Variable |\n|---|---|---|\n")
	for j := range 40 {
		fmt.Fprintf(&dbs, "  db%d:\n    image: postgres:16\n    ports:\n      - \"${DB%d_PORT:-%d}:5432\"\n    volumes:\n      - ./data%d:/var/lib/postgresql/data\n", j, j, 7000+j%30, j)
		fmt.Fprintf(&env, "DB%d_PORT=%d\n", j, 7000+j%30)
		if j < 5 {
			fmt.Fprintf(&dbs, "  db%d-backup:\n    image: postgres:16\n    ports:\n      - \"%d:5432\"\n", j, 7050+j)
		}
		name := fmt.Sprintf("db%d", j)
		if j >= 30 {
			name = fmt.Sprintf("ghost service %d", j)
		}
		fmt.Fprintf(&table, "| %d | %s | DB%d_PORT |\n", 7000+j, name, j)
	}
	write("docker-compose.yml", dbs.String())
	write(".env", env.String())
	write("PORTS-CONVENTION.md", "# Ports\n\n"+table.String())
	for f := 0; f*50 < apps; f++ {
		var b, o strings.Builder
		b.WriteString("services:\n")
		o.WriteString("services:\n")
		for i := f * 50; i < min(apps, (f+1)*50); i++ {
			fmt.Fprintf(&b, "  svc%d:\n    image: node:20\n    ports:\n      - \"%d:3000\"\n    environment:\n      DATABASE_URL: postgres://db%d:5432/app\n      CACHE: localhost:%d\n", i, 20000+i, i%40, 7000+i%40)
			if i%2 == 0 {
				fmt.Fprintf(&b, "  svc%d-replica:\n    image: node:20\n    container_name: svc%d_replica\n", i, i)
				fmt.Fprintf(&o, "  svc%d:\n    ports:\n      - \"%d:3000\"\n", i, 20000+i)
			}
		}
		sub := filepath.Join(dir, fmt.Sprintf("stack%d", f))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(fmt.Sprintf("stack%d", f), "docker-compose.yml"), b.String())
		write(filepath.Join(fmt.Sprintf("stack%d", f), "docker-compose.override.yml"), o.String())
	}
}
