package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// TestNothingToCheck: a repository without a compose file, or whose
// compose_files patterns match none, is a usage error naming the patterns,
// never a pass.
func TestNothingToCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"empty repository", map[string]string{"README.md": "# nothing\n"},
			"nothing to check: no compose file under ROOT matches compose_files (compose*.yml, compose*.yaml, docker-compose*.yml, docker-compose*.yaml)"},
		{"patterns that match nothing", map[string]string{
			dc:                "services:\n  redis:\n    image: redis:7\n",
			".portguard.yaml": "compose_files: [stack*.yml]\n",
		}, "nothing to check: no compose file under ROOT matches compose_files (stack*.yml)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := treetest.WriteTemp(t, c.files)
			res := run(t, invocation{args: []string{"check", root}})
			want := "portguard: " + strings.ReplaceAll(c.want, "ROOT", root) + "\n"
			if res.code != 2 || res.stderr != want || res.stdout != "" {
				t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %q\nwant:   %q", res.code, res.stdout, res.stderr, want)
			}
		})
	}
}

// TestEnvTemplates: each common template of the root .env stands in for
// it, and the report names it; without .env and without a template, the
// report says so once and no mapping gets a DBP203.
func TestEnvTemplates(t *testing.T) {
	const compose = "services:\n  pgadmin:\n    image: dpage/pgadmin4\n    ports:\n      - \"${PGADMIN_PORT:-7100}:80\"\n  adminer:\n    image: adminer\n    ports:\n      - \"${ADMINER_PORT:-7101}:8080\"\n"
	const table = "| Port | Service | Env var |\n|---|---|---|\n| 7100 | pgadmin | PGADMIN_PORT |\n| 7101 | adminer | ADMINER_PORT |\n"
	for _, tmpl := range []string{".env.example", "env.example", ".env.sample", ".env.dist"} {
		t.Run(tmpl, func(t *testing.T) {
			root := treetest.WriteTemp(t, map[string]string{dc: compose, "PORTS-CONVENTION.md": table, tmpl: "PGADMIN_PORT=7100\n"})
			res := run(t, invocation{args: []string{"check", root}})
			note := "note: read " + tmpl + " (the root .env is absent)\n"
			if !strings.HasPrefix(res.stdout, note) {
				t.Errorf("the report does not start with %q:\n%s", note, res.stdout)
			}
			r := decodeReport(t, run(t, invocation{args: []string{"check", root, "--format", "json"}}))
			if r.EnvFile != tmpl {
				t.Errorf("env_file = %q, want %s", r.EnvFile, tmpl)
			}
			compareFindings(t, r.Findings, []want{{"DBP203", dc, 9, "adminer"}})
		})
	}
	t.Run("env_file of the config", func(t *testing.T) {
		root := treetest.WriteTemp(t, map[string]string{dc: compose, "PORTS-CONVENTION.md": table,
			".portguard.yaml": "env_file: config/ports.env\n", "config/ports.env.dist": "PGADMIN_PORT=7100\nADMINER_PORT=7101\n"})
		r := decodeReport(t, run(t, invocation{args: []string{"check", root, "--format", "json"}}))
		if r.EnvFile != "config/ports.env.dist" || len(r.Findings) != 0 {
			t.Errorf("env_file = %q, findings %+v; want config/ports.env.dist and none", r.EnvFile, r.Findings)
		}
	})
	t.Run("neither .env nor a template", func(t *testing.T) {
		root := treetest.WriteTemp(t, map[string]string{dc: compose, "PORTS-CONVENTION.md": table})
		res := run(t, invocation{args: []string{"check", root}})
		const want = "note: no root .env and no template of it (.env, .env.example, env.example, .env.sample, .env.dist): port variables are checked with their compose defaults\nno findings; checked 1 compose file, 2 services\n"
		if res.code != 0 || res.stdout != want {
			t.Errorf("exit %d\n%s\nwant\n%s", res.code, res.stdout, want)
		}
	})
}

// TestTextForCILogs: the severity on every finding line, singular and
// plural right, counts that match the lines, and --quiet for the findings
// alone.
func TestTextForCILogs(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{
		dc:     "services:\n  pgadmin:\n    image: dpage/pgadmin4\n    ports:\n      - \"${PGADMIN_PORT:-7100}:80\"\n",
		".env": "PGADMIN_PORT=7101\n",
	})
	res := run(t, invocation{args: []string{"check", root}})
	const want = `.env
.env:1:1  warning  DBP204  PGADMIN_PORT=7101 in .env differs from the default 7100 of pgadmin (docker-compose.yml:5)
  -> set PGADMIN_PORT=7100 in .env

docker-compose.yml
docker-compose.yml:5:9  error  DBP501  pgadmin publishes 7101, which is not documented: there is no PORTS-CONVENTION.md
  -> move pgadmin to 7100 (set PGADMIN_PORT=7100 in the root .env) and add the row | 7100 | pgadmin | PGADMIN_PORT | ui | to PORTS-CONVENTION.md

1 error, 1 warning in 2 files; checked 1 compose file, 1 service
`
	if res.code != 1 || res.stdout != want {
		t.Errorf("exit %d\n%s\nwant\n%s", res.code, res.stdout, want)
	}
	quiet := run(t, invocation{args: []string{"check", root, "--quiet"}})
	const wantQuiet = `.env:1:1  warning  DBP204  PGADMIN_PORT=7101 in .env differs from the default 7100 of pgadmin (docker-compose.yml:5)
docker-compose.yml:5:9  error  DBP501  pgadmin publishes 7101, which is not documented: there is no PORTS-CONVENTION.md
`
	if quiet.code != 1 || quiet.stdout != wantQuiet {
		t.Errorf("--quiet: exit %d\n%s\nwant\n%s", quiet.code, quiet.stdout, wantQuiet)
	}
	if err := os.WriteFile(filepath.Join(root, ".env"), []byte("PGADMIN_PORT=7100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if q := run(t, invocation{args: []string{"check", root, "-q"}}); q.code != 1 || strings.Count(q.stdout, "\n") != 1 {
		t.Errorf("-q: exit %d, want 1 and one line\n%s", q.code, q.stdout)
	}
}

// TestDataReachesEveryCommand: an image added with --data is classified by
// input, documented by docs and judged by suggest as check sees it, and a
// --policy that does not compile fails each command that evaluates.
func TestDataReachesEveryCommand(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{
		dc:     "services:\n  ledger:\n    image: acme/ledgerdb:3\n    ports:\n      - \"${LEDGER_PORT:-7000}:6000\"\n    volumes:\n      - ledger-data:/var/lib/ledger\nvolumes:\n  ledger-data:\n    name: ledger-data\n    external: true\n",
		".env": "LEDGER_PORT=7000\n",
		"kb/ledger.yaml": `images:
  ledgerdb:
    category: database
    data_dirs: [/var/lib/ledger]
    display: LedgerDB
    family: ledgerdb
    names: [ledgerdb]
    port_names: {"6000": ""}
    ports: [6000]
    repos: [acme/ledgerdb]
`,
		"broken/bad.rego": "package portguard.rules.team.bad\n\nreport contains x if {\n",
	})
	kb := filepath.Join(root, "kb")
	category := func(args ...string) string {
		res := run(t, invocation{args: append([]string{"input", root}, args...)})
		var doc struct {
			Services []struct {
				Classification struct {
					Category string `json:"category"`
				} `json:"classification"`
			} `json:"services"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || len(doc.Services) != 1 {
			t.Fatalf("input %v: %v\n%s%s", args, err, res.stdout, res.stderr)
		}
		return doc.Services[0].Classification.Category
	}
	if without, with := category(), category("--data", kb); without == with || with != "database" {
		t.Errorf("input: category %s without --data, %s with it; want database with it", without, with)
	}
	// docs: the generated row's category comes from the classification.
	docs := run(t, invocation{args: []string{"docs", root, "--data", kb}})
	table, _ := os.ReadFile(filepath.Join(root, "PORTS-CONVENTION.md"))
	if docs.code != 0 || !strings.Contains(string(table), "| 7000 | ledger | `LEDGER_PORT` | database | 6000 |") {
		t.Errorf("docs --data: exit %d %s\n%s", docs.code, docs.stderr, table)
	}
	// suggest: the backup of a database is its primary's port + 1.
	sug := run(t, invocation{args: []string{"suggest", root, "--data", kb, "--backup-of", "ledger"}})
	if sug.code != 0 || sug.stdout != "7001\n" {
		t.Errorf("suggest --data --backup-of ledger: exit %d %q %s", sug.code, sug.stdout, sug.stderr)
	}
	// The MCP server's --data reaches suggest_port as it reaches suggest.
	var got struct {
		Ports []int `json:"ports"`
	}
	s := mcpSession(t, ".", "--data", kb)
	structured(t, "suggest_port", callTool(t, s, "suggest_port", map[string]any{"path": root, "backup_of": "ledger"}), &got)
	if !slices.Equal(got.Ports, []int{7001}) {
		t.Errorf("suggest_port of the mcp server with --data, backup_of ledger: %v, want [7001]", got.Ports)
	}
	broken := filepath.Join(root, "broken")
	for _, args := range [][]string{
		{"docs", root, "--policy", broken},
		{"suggest", root, "--policy", broken},
		{"fix", root, "--dry-run", "--policy", broken},
		{"baseline", root, "--policy", broken},
	} {
		if res := run(t, invocation{args: args}); res.code != 3 || !strings.Contains(res.stderr, "bad.rego") {
			t.Errorf("%v: exit %d, want 3 naming the policy\n%s", args, res.code, res.stderr)
		}
	}
}
