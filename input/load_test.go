package input

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// writeTree creates files (path -> content) under a new temporary root.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	return treetest.WriteTemp(t, files)
}

func load(t *testing.T, files map[string]string) *Document {
	t.Helper()
	doc, err := Load(Options{Root: writeTree(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// portsOf renders each service's ports as "name file:line raw".
func portsOf(doc *Document) []string {
	var out []string
	for _, s := range doc.Services {
		for _, p := range s.Ports {
			out = append(out, s.Name+" "+p.File+":"+itoa(p.Line)+" "+p.Raw)
		}
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestLoadOverrideMergesIntoBase(t *testing.T) {
	doc := load(t, map[string]string{
		"docker-compose.yml":          "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"${PG_PORT:-7000}:5432\"\n",
		"docker-compose.override.yml": "services:\n  db:\n    ports:\n      - \"7009:5432\"\n  extra:\n    image: redis\n",
		".env":                        "PG_PORT=7000\nPASSWORD=hunter2\n",
	})
	if len(doc.Errors) > 0 {
		t.Fatalf("errors: %v", doc.Errors)
	}
	want := []string{"db docker-compose.override.yml:4 7009:5432", "db docker-compose.yml:5 ${PG_PORT:-7000}:5432"}
	if got := portsOf(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("ports = %v, want %v", got, want)
	}
	roles := map[string]string{}
	for _, f := range doc.Files {
		roles[f.Path] = f.Role
	}
	if !reflect.DeepEqual(roles, map[string]string{"docker-compose.yml": "base", "docker-compose.override.yml": "override"}) {
		t.Errorf("files = %+v", doc.Files)
	}
	if len(doc.Services) != 2 || doc.Services[0].Name != "db" || doc.Services[0].File != "docker-compose.yml" || doc.Services[0].Line != 2 {
		t.Errorf("services = %+v", doc.Services)
	}
	vars := map[string]string{}
	for _, v := range doc.Env.Vars {
		vars[v.Name] = v.Value
	}
	if vars["PG_PORT"] != "7000" || vars["PASSWORD"] != Redacted {
		t.Errorf(".env vars = %v: port kept, secret redacted", vars)
	}
}

func TestLoadIncludeExtendsAnchorsProfiles(t *testing.T) {
	doc := load(t, map[string]string{
		"compose.yaml": `include:
  - db/compose.db.yaml
x-db: &db
  image: postgres:16
  ports:
    - "7001:5432"
services:
  reporting:
    <<: *db
  worker:
    extends:
      file: common.yml
      service: base
  debug:
    image: redis
    profiles: [debug]
    ports: ["7030:6379"]
`,
		"db/compose.db.yaml": "services:\n  db:\n    image: postgres\n    ports:\n      - target: 5432\n        published: \"7000\"\n",
		"common.yml":         "services:\n  base:\n    image: node:20\n    ports:\n      - \"3000:3000\"\n",
	})
	if len(doc.Errors) > 0 {
		t.Fatalf("errors: %v", doc.Errors)
	}
	want := []string{
		"db db/compose.db.yaml:6 7000",
		"debug compose.yaml:17 7030:6379",
		"reporting compose.yaml:6 7001:5432",
		"worker common.yml:5 3000:3000",
	}
	if got := portsOf(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("ports = %v, want %v", got, want)
	}
	roles := map[string]string{}
	for _, f := range doc.Files {
		roles[f.Path] = f.Role
	}
	if roles["db/compose.db.yaml"] != "include" || roles["common.yml"] != "extends" || roles["compose.yaml"] != "base" {
		t.Errorf("files = %+v", doc.Files)
	}
}

func TestLoadUnsetVariablesDoNotStopTheCheck(t *testing.T) {
	doc := load(t, map[string]string{
		"compose.yml": `services:
  app:
    image: ${REGISTRY}/app:${TAG:?must be set}
    container_name: ${NAME:?set NAME}
    read_only: ${RO}
    volumes:
      - ${DATA_DIR}:/data
    ports:
      - "${APP_PORT}:8080"
`,
	})
	if len(doc.Errors) > 0 {
		t.Fatalf("unset variables must not be input errors: %v", doc.Errors)
	}
	var names []string
	for _, u := range doc.Unset {
		names = append(names, u.Name)
	}
	sort.Strings(names)
	if want := []string{"DATA_DIR", "NAME", "REGISTRY", "RO", "TAG"}; !reflect.DeepEqual(names, want) {
		t.Errorf("unset = %v, want %v", names, want)
	}
	p := doc.Services[0].Ports[0]
	if p.Variable == nil || p.Variable.Name != "APP_PORT" || p.Effective != nil {
		t.Errorf("port = %+v, want variable APP_PORT with unknown port", p)
	}
}

func TestLoadErrorsKeepOtherFiles(t *testing.T) {
	doc := load(t, map[string]string{
		"a/compose.yml": "services:\n  db:\n    image: postgres\n    ports:\n      - \"abc:5432\"\n      - \"7000:5432\"\n",
		"b/compose.yml": "services:\n  web: [\n",
		"c/compose.yml": "services:\n  cache:\n    image: redis\n    ports: [\"7030:6379\"]\n",
	})
	var errs []string
	for _, e := range doc.Errors {
		errs = append(errs, e.Error())
	}
	if len(errs) != 2 || !strings.HasPrefix(errs[0], `a/compose.yml:5:9: invalid port mapping "abc:5432"`) || !strings.HasPrefix(errs[1], "b/compose.yml:3:1: did not find expected node content") {
		t.Errorf("errors = %q", errs)
	}
	if want := []string{"cache c/compose.yml:4 7030:6379", "db a/compose.yml:6 7000:5432"}; !reflect.DeepEqual(portsOf(doc), want) {
		t.Errorf("ports = %v, want %v (the good port of a file with a bad one, and the other files)", portsOf(doc), want)
	}
}

func TestLoadDuplicatePortsAndEnvStandIn(t *testing.T) {
	doc := load(t, map[string]string{
		"compose.yml":  "services:\n  db:\n    image: postgres\n    ports:\n      - \"${PG_PORT:-7000}:5432\"\n      - \"${PG_PORT:-7000}:5432\"\n",
		".env.example": "PG_PORT=7002\n",
	})
	if doc.Env.File != ".env.example" {
		t.Errorf("env file = %q, want .env.example standing in", doc.Env.File)
	}
	ps := doc.Services[0].Ports
	if len(ps) != 2 || *ps[0].Effective != 7002 || ps[1].Line != 6 {
		t.Errorf("ports = %+v: both duplicates kept, .env.example read", ps)
	}
}

func TestLoadEnvironmentFacts(t *testing.T) {
	doc := load(t, map[string]string{
		"compose.yml": `services:
  api:
    image: node:20
    environment:
      DATABASE_URL: postgres://u:s3cret@timescaledb:7000/db
      REDIS_URL: "redis://localhost:${REDIS_PORT:-7030}"
      PG_PORT: 7000
  worker:
    image: node:20
    environment:
      - "TOKEN=abc:1234@host"
      - PLAIN
`,
	})
	got := map[string]EnvEntry{}
	for _, s := range doc.Services {
		for _, e := range s.Environment {
			got[e.Name] = e
		}
	}
	if e := got["DATABASE_URL"]; e.Value != Redacted || !reflect.DeepEqual(e.PortRefs, []PortRef{{"timescaledb", 7000}}) || e.Line != 5 {
		t.Errorf("DATABASE_URL = %+v", e)
	}
	if e := got["REDIS_URL"]; !e.UsesVariable || !reflect.DeepEqual(e.PortRefs, []PortRef{{"localhost", 7030}}) {
		t.Errorf("REDIS_URL = %+v", e)
	}
	if e := got["PG_PORT"]; e.Value != "7000" || e.UsesVariable {
		t.Errorf("PG_PORT = %+v: port-like values are kept", e)
	}
	if e := got["TOKEN"]; len(e.PortRefs) != 0 || e.Value != Redacted {
		t.Errorf("TOKEN = %+v: userinfo is not a host:port", e)
	}
	raw, _ := json.Marshal(doc)
	if strings.Contains(string(raw), "s3cret") || strings.Contains(string(raw), "1234") {
		t.Error("a secret reached the document")
	}
}

func TestLoadVolumes(t *testing.T) {
	doc := load(t, map[string]string{
		"compose.yml": `services:
  db:
    image: postgres
    volumes:
      - pgdata:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
      - /var/log
      - type: tmpfs
        target: /tmp
volumes:
  pgdata:
    name: pgdata
  other: {}
`,
	})
	var got []string
	for _, v := range doc.Services[0].Volumes {
		got = append(got, v.Type+" "+v.Source+" "+v.Target+" "+itoa(v.Line))
	}
	want := []string{"volume pgdata /var/lib/postgresql/data 5", "bind ./init /docker-entrypoint-initdb.d 6", "anonymous  /var/log 7", "tmpfs  /tmp 8"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("volumes = %q, want %q", got, want)
	}
	if len(doc.Volumes) != 2 || !doc.Volumes[1].HasName || doc.Volumes[1].Name != "pgdata" || doc.Volumes[0].HasName || doc.Volumes[0].Line != 13 {
		t.Errorf("top-level volumes = %+v", doc.Volumes)
	}
}

func TestNormalizeImage(t *testing.T) {
	tests := map[string][2]string{
		"postgres":                                 {"postgres", "postgres"},
		"docker.io/library/postgres:16-alpine":     {"postgres", "postgres"},
		"timescale/timescaledb:latest-pg16":        {"timescale/timescaledb", "timescaledb"},
		"ghcr.io/org/img@sha256:abc":               {"org/img", "img"},
		"localhost:5000/my/db:1":                   {"my/db", "db"},
		"timescale/timescaledb:latest-pg16:latest": {"timescale/timescaledb", "timescaledb"},
		"/postgres:15":                             {"postgres", "postgres"},
		"":                                         {"", ""},
	}
	for in, want := range tests {
		repo, name := normalizeImage(in)
		if repo != want[0] || name != want[1] {
			t.Errorf("normalizeImage(%q) = %q, %q; want %q, %q", in, repo, name, want[0], want[1])
		}
	}
}

func TestPortRefs(t *testing.T) {
	tests := map[string][]PortRef{
		"postgres://user:pass@timescaledb:7000/db?sslmode=disable": {{"timescaledb", 7000}},
		"redis://localhost:7030":                                   {{"localhost", 7030}},
		"timescaledb:5432,questdb:8812":                            {{"timescaledb", 5432}, {"questdb", 8812}},
		"http://[::1]:7100/":                                       {{"::1", 7100}},
		"user:12345@host":                                          {},
		"10:30":                                                    {},
		"host:123456":                                              {},
	}
	for in, want := range tests {
		if got := portRefs(in); !reflect.DeepEqual(got, want) {
			t.Errorf("portRefs(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestDiscoverGroupsOverrides(t *testing.T) {
	root := writeTree(t, map[string]string{
		"docker-compose.yml":                 "",
		"docker-compose.override.yml":        "",
		"tools/compose.db.yaml":              "",
		"tools/compose.db.override.yaml":     "",
		"lonely/docker-compose.override.yml": "",
		"node_modules/x/docker-compose.yml":  "",
		"README.md":                          "",
	})
	tree := Discover(root, DefaultConfig().ComposeFiles, nil)
	if len(tree.Errors) > 0 {
		t.Fatal(tree.Errors)
	}
	projects := tree.Projects
	var got [][]string
	for _, p := range projects {
		var files []string
		for _, f := range p.Files {
			files = append(files, rel(root, f))
		}
		got = append(got, files)
	}
	want := [][]string{
		{"docker-compose.yml", "docker-compose.override.yml"},
		{"lonely/docker-compose.override.yml"},
		{"tools/compose.db.yaml", "tools/compose.db.override.yaml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("projects = %v, want %v", got, want)
	}
}

// A directory of portguard backups holds copies of compose and .env files
// that are not part of the stacks: discovery never searches it, whatever
// its name.
func TestDiscoverSkipsBackups(t *testing.T) {
	root := writeTree(t, map[string]string{
		"docker-compose.yml":         "",
		".env":                       "",
		"ops/saved/" + BackupsMarker: "",
		"ops/saved/20260101T000000Z/config/docker-compose.yml": "",
		"ops/saved/20260101T000000Z/config/.env":               "",
		"ops/other/docker-compose.yml":                         "",
	})
	tree := Discover(root, DefaultConfig().ComposeFiles, nil)
	var got []string
	for _, p := range tree.Projects {
		for _, f := range p.Files {
			got = append(got, rel(root, f))
		}
	}
	if want := []string{"docker-compose.yml", "ops/other/docker-compose.yml"}; !reflect.DeepEqual(got, want) {
		t.Errorf("compose files = %v, want %v", got, want)
	}
	if want := []string{".env"}; !reflect.DeepEqual(tree.EnvFiles, want) {
		t.Errorf("env files = %v, want %v", tree.EnvFiles, want)
	}
}

// A compose file that is a symbolic link to another compose file under the
// root is checked once, under the name of the file it links to.
func TestSymlinkedComposeFileOnce(t *testing.T) {
	root := writeTree(t, map[string]string{
		"stacks/db.yml": "services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n",
		"compose.yml":   "services:\n  web:\n    image: nginx\n",
	})
	for link, target := range map[string]string{
		"docker-compose.yml":      "compose.yml",      // both matched by the patterns
		"db/docker-compose.yml":   "../stacks/db.yml", // the target is not
		"db/compose.override.yml": "../stacks/db.yml", // two links, one file
	} {
		p := filepath.Join(root, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	doc, err := Load(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	var files, services []string
	for _, f := range doc.Files {
		files = append(files, f.Path)
	}
	for _, s := range doc.Services {
		services = append(services, s.Name+"@"+s.File)
	}
	if strings.Join(files, " ") != "compose.yml stacks/db.yml" || strings.Join(services, " ") != "web@compose.yml db@stacks/db.yml" {
		t.Errorf("files %v, services %v", files, services)
	}
	if len(doc.Errors) > 0 {
		t.Errorf("errors: %v", doc.Errors)
	}
}

// TestPortLikeEnvironmentValues: a port-like environment entry carries its
// value as docker compose interpolates it, unless another .env value (not
// named like a port) is interpolated into it.
func TestPortLikeEnvironmentValues(t *testing.T) {
	doc := load(t, map[string]string{
		"docker-compose.yml": "services:\n  api:\n    image: node:22\n    environment:\n" +
			"      DB_PORT: ${POSTGRES_PORT:-5432}\n      CACHE_PORT: ${REDIS_PORT:-${FALLBACK_PORT}}\n" +
			"      ODD_PORT: ${PASSWORD}\n      MIXED_PORT: ${POSTGRES_PORT:-${PASSWORD}}\n      PASSWORD: ${PASSWORD}\n",
		".env": "POSTGRES_PORT=7000\nPASSWORD=hunter2\n",
	})
	got := map[string]string{}
	for _, e := range doc.Services[0].Environment {
		got[e.Name] = e.Value
	}
	want := map[string]string{"DB_PORT": "7000", "CACHE_PORT": "", "ODD_PORT": Redacted, "MIXED_PORT": Redacted, "PASSWORD": Redacted}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("environment %v, want %v", got, want)
	}
}
