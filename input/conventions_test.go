package input

import (
	"fmt"
	"os"
	"reflect"
	"testing"
)

func TestParseConventionsOrigin(t *testing.T) {
	data, err := os.ReadFile("../../shared/corpus/origin/PORTS-CONVENTION.md")
	if err != nil {
		t.Skip("corpus not present: ", err)
	}
	c := parseConventions("PORTS-CONVENTION.md", data)
	var ports []int
	var ranges [][]int
	for _, r := range c.Rows {
		if r.Port != nil {
			if *r.Port >= 7000 && *r.Port <= 7999 {
				ports = append(ports, *r.Port)
			}
		} else {
			ranges = append(ranges, r.PortRange)
		}
	}
	want := []int{7000, 7001, 7002, 7003, 7010, 7011, 7012, 7020, 7021, 7030, 7100, 7101, 7102, 7200}
	if !reflect.DeepEqual(ports, want) {
		t.Errorf("protected ports = %v, want %v", ports, want)
	}
	if !reflect.DeepEqual(ranges, [][]int{{7300, 65535}}) {
		t.Errorf("ranges = %v, want the 7300+ row as a range", ranges)
	}
	first := c.Rows[0]
	if first.Service != "TimescaleDB" || first.Line != 19 || first.Section != "Databases Primários (7000-7099)" {
		t.Errorf("first row = %+v", first)
	}
}

func TestParseConventionsTables(t *testing.T) {
	src := `# Puertos

Intro paragraph with 7000 in it, not a table.

| Notes | Owner |
|---|---|
| 7001 | not a port table |

## Bases de datos

| Puerto | Servicio | Variable de entorno | Categoría | Puerto interno |
|:--|:--|:--|:--|--:|
| ` + "`7000`" + ` | [TimescaleDB](https://example.com) | ` + "`${TIMESCALEDB_PORT}`" + ` | Database | 5432 |
| **7100-7199** | UIs | | ui | |
| 7300+ | Reservado | | | |
| n/a | nothing | | | |

### Ports

| Service | Port | Env var |
|---|---|---|
| redis | 7030 | REDIS_PORT |
`
	c := parseConventions("P.md", []byte(src))
	seven := 7000
	redis := 7030
	internal := 5432
	want := []ConventionRow{
		{Port: &seven, PortRange: []int{7000, 7000}, Service: "TimescaleDB", EnvVar: "TIMESCALEDB_PORT", Category: "database", InternalPort: &internal, Section: "Bases de datos", Line: 13},
		{PortRange: []int{7100, 7199}, Service: "UIs", Category: "ui", Section: "Bases de datos", Line: 14},
		{PortRange: []int{7300, 65535}, Service: "Reservado", Section: "Bases de datos", Line: 15},
		{Port: &redis, PortRange: []int{7030, 7030}, Service: "redis", EnvVar: "REDIS_PORT", Section: "Ports", Line: 22},
	}
	if !reflect.DeepEqual(c.Rows, want) {
		t.Errorf("rows:\n got  %+v\n want %+v", c.Rows, want)
	}
}

func TestEnvLoads(t *testing.T) {
	src := `// require('dotenv').config() in a comment does not count
import 'dotenv/config'
const dotenv = require("dotenv");
dotenv.config({ path: '../../.env' })
require('dotenv').config()
require("dotenv/config")
import { config } from 'dotenv'
import dotenv2 from 'dotenv'
`
	got := envLoads("app/index.js", []byte(src))
	var lines []int
	for _, l := range got {
		lines = append(lines, l.Line)
	}
	if want := []int{2, 4, 5, 6, 7}; !reflect.DeepEqual(lines, want) {
		t.Errorf("dotenv loads at lines %v, want %v (%+v)", lines, want, got)
	}
	if envLoads("x.js", []byte("console.log('hi')")) != nil {
		t.Error("a file without dotenv has no loads")
	}
}

func TestRepoFacts(t *testing.T) {
	doc := load(t, map[string]string{
		"compose.yml":                       "services:\n  a:\n    image: x\n",
		".env":                              "",
		"apps/api/.env":                     "",
		"apps/api/.env.example":             "",
		"apps/api/src/index.ts":             "import 'dotenv/config'\n",
		"node_modules/x/.env":               "",
		"node_modules/x/index.js":           "require('dotenv').config()\n",
		"backend/shared/config/load-env.js": "require('dotenv').config({ path: root })\n",
	})
	if want := []string{".env", "apps/api/.env", "apps/api/.env.example"}; !reflect.DeepEqual(doc.Repo.EnvFiles, want) {
		t.Errorf("env files = %v, want %v", doc.Repo.EnvFiles, want)
	}
	var loads []string
	for _, l := range doc.Repo.EnvLoads {
		loads = append(loads, l.File)
	}
	if want := []string{"apps/api/src/index.ts", "backend/shared/config/load-env.js"}; !reflect.DeepEqual(loads, want) {
		t.Errorf("env loads = %v, want %v", loads, want)
	}
}

// TestParseConventionsGeneratedTable: the rows portguard docs writes
// between the markers document ports, marked generated, after the
// hand-written rows; a port that a hand-written row (or an earlier
// generated row) documents is not counted twice.
func TestParseConventionsGeneratedTable(t *testing.T) {
	src := "# Ports\n\n| Port | Service | Env var |\n|---|---|---|\n| 7000 | TimescaleDB | `TIMESCALEDB_PORT` |\n\n" +
		GeneratedBegin + "\n<!-- generated -->\n\n| Port | Service | Variable | Category | Internal port | File |\n|---:|---|---|---|---:|---|\n" +
		"| 7000 | timescaledb | `TIMESCALEDB_PORT` | database | 5432 | a.yml |\n" +
		"| 7001 | redis | `REDIS_PORT` | database | 6379 | a.yml |\n" +
		"| 7001 | keydb | | database | 6379 | b.yml |\n\n" + GeneratedEnd + "\n\nAfter.\n"
	c := parseConventions("PORTS-CONVENTION.md", []byte(src))
	var got []string
	for _, r := range c.Rows {
		got = append(got, fmt.Sprintf("%d %s %v line %d", *r.Port, r.Service, r.Generated, r.Line))
	}
	want := []string{"7000 TimescaleDB false line 5", "7001 redis true line 13"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	tables := ConventionTables([]byte(src))
	if len(tables) != 2 || tables[0].Generated || !tables[1].Generated {
		t.Fatalf("tables %+v", tables)
	}
	if tables[1].HeaderLine != 10 || !reflect.DeepEqual(tables[1].RowLines, []int{12, 13, 14}) ||
		!reflect.DeepEqual(tables[1].Columns, []string{"port", "service", "env_var", "category", "internal_port", ""}) {
		t.Errorf("generated table layout %+v", tables[1])
	}
}
