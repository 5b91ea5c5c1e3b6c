package main

// End-to-end tests of the facts portguard takes from compose files and the
// root .env: what docker compose computes, whatever the command.

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// inputDoc is the part of `portguard input` these tests read.
type inputDoc struct {
	Files []struct {
		Path    string `json:"path"`
		Project string `json:"project"`
		Role    string `json:"role"`
	} `json:"files"`
	Services []struct {
		Name          string            `json:"name"`
		File          string            `json:"file"`
		Image         string            `json:"image"`
		ContainerName string            `json:"container_name"`
		Labels        map[string]string `json:"labels"`
		Ports         []docPort         `json:"ports"`
		Volumes       []struct {
			Type   string `json:"type"`
			Source string `json:"source"`
			Target string `json:"target"`
		} `json:"volumes"`
		Environment []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"environment"`
	} `json:"services"`
	Env struct {
		File string `json:"file"`
		Vars []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
			Line  int    `json:"line"`
		} `json:"vars"`
	} `json:"env"`
	Conventions struct {
		File string `json:"file"`
		Rows []struct {
			Port *int `json:"port"`
		} `json:"rows"`
	} `json:"conventions"`
	Repo struct {
		EnvFiles []string `json:"env_files"`
	} `json:"repo"`
	Unset []struct {
		Name string `json:"name"`
	} `json:"unset_variables"`
	Errors []inputError `json:"errors"`
}

func inputOf(t *testing.T, inv invocation) (inputDoc, result) {
	t.Helper()
	res := run(t, inv)
	var doc inputDoc
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("portguard %s: exit %d, stdout is not the input document: %v\n%s%s", strings.Join(inv.args, " "), res.code, err, res.stdout, res.stderr)
	}
	return doc, res
}

// TestFactsAreDockerComposes: every value taken from a compose file is
// interpolated as docker compose interpolates it with the root .env and
// the defaults; a variable without value is the empty string, never a
// placeholder, in the facts and in the messages.
func TestFactsAreDockerComposes(t *testing.T) {
	doc, res := inputOf(t, invocation{args: []string{"input", fixture("variables-everywhere")}})
	if res.code != 0 || len(doc.Errors) > 0 || len(doc.Services) != 1 {
		t.Fatalf("exit %d, errors %v, %d services", res.code, doc.Errors, len(doc.Services))
	}
	s := doc.Services[0]
	if s.Image != "postgres:" || s.ContainerName != "billing-postgres" || s.Labels["portguard.role"] != "primary" {
		t.Errorf("image %q, container_name %q, labels %v; want postgres:, billing-postgres, portguard.role=primary", s.Image, s.ContainerName, s.Labels)
	}
	if len(s.Volumes) != 1 || s.Volumes[0].Type != "bind" || s.Volumes[0].Source != "./volumes/pg" {
		t.Errorf("volumes %+v, want the bind mount ./volumes/pg", s.Volumes)
	}
	if len(s.Environment) != 1 || s.Environment[0].Value != "7000" {
		t.Errorf("environment %+v, want POSTGRES_PORT=7000", s.Environment)
	}
	if len(doc.Unset) != 1 || doc.Unset[0].Name != "PG_TAG" {
		t.Errorf("unset variables %+v, want PG_TAG", doc.Unset)
	}

	r := decodeReport(t, run(t, invocation{args: []string{"check", fixture("variables-everywhere"), "--format", "json"}}))
	compareFindings(t, r.Findings, []want{{"DBP601", "docker-compose.yml", 11, "postgres"}})
	for _, f := range r.Findings {
		if f.RuleID == "DBP601" && !strings.HasSuffix(f.Message, "on the bind mount ./volumes/pg") {
			t.Errorf("DBP601 says %q, want the bind mount ./volumes/pg", f.Message)
		}
	}
}

// TestUnsetBindSourceIsNoPlaceholder: a bind mount whose path is a
// variable without value is not "the bind mount 0".
func TestUnsetBindSourceIsNoPlaceholder(t *testing.T) {
	dir := t.TempDir()
	treetest.Write(t, dir, map[string]string{
		"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    volumes:\n      - ${DATA_DIR}:/var/lib/postgresql/data\n",
	})
	r := decodeReport(t, run(t, invocation{args: []string{"check", dir, "--format", "json"}}))
	compareFindings(t, r.Findings, []want{{"DBP601", "docker-compose.yml", 5, "db"}})
	for _, f := range r.Findings {
		if f.RuleID == "DBP601" && !strings.HasSuffix(f.Message, "on a bind mount whose path is a variable without value") {
			t.Errorf("DBP601 says %q", f.Message)
		}
	}
	doc, _ := inputOf(t, invocation{args: []string{"input", dir}})
	var names []string
	for _, u := range doc.Unset {
		names = append(names, u.Name)
	}
	if !reflect.DeepEqual(names, []string{"DATA_DIR"}) {
		t.Errorf("unset variables %v, want [DATA_DIR]", names)
	}
}

// TestBrokenEnvLine: a line of the root .env that docker compose rejects
// is an input error at .env:LINE (exit 2), and the variables before and
// after it are known: no DBP206 or DBP203 built on a half-read file.
func TestBrokenEnvLine(t *testing.T) {
	for name, bad := range map[string]string{
		"a line that is no statement": "BAD LINE HERE",
		"an unterminated quote":       `PASSWORD="hunter2`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			treetest.Write(t, dir, map[string]string{
				"docker-compose.yml": "services:\n  postgres:\n    image: postgres:16\n    ports:\n      - \"${PG_PORT:-7000}:5432\"\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n" +
					"  redis:\n    image: redis:7\n    ports:\n      - \"${REDIS_PORT:-7001}:6379\"\n    volumes:\n      - redisdata:/data\n" +
					"volumes:\n  pgdata:\n    name: pgdata\n    external: true\n  redisdata:\n    name: redisdata\n    external: true\n",
				".env":                "PG_PORT=7000\n" + bad + "\nREDIS_PORT=7001\n",
				"PORTS-CONVENTION.md": "| Port | Service | Env var |\n|---|---|---|\n| 7000 | postgres | PG_PORT |\n| 7001 | redis | REDIS_PORT |\n",
			})
			res := run(t, invocation{args: []string{"check", dir, "--format", "json"}})
			r := decodeReport(t, res)
			if res.code != 2 || len(r.Errors) != 1 || r.Errors[0].File != ".env" || r.Errors[0].Line != 2 {
				t.Errorf("exit %d, errors %+v; want exit 2 and one error at .env:2", res.code, r.Errors)
			}
			if strings.Contains(res.stdout, "hunter2") {
				t.Errorf("the report quotes the value:\n%s", res.stdout)
			}
			compareFindings(t, r.Findings, nil)
		})
	}
}

// TestYAMLErrorsAtComposePositions: a file that is not YAML is an input
// error where docker compose places it: a mis-indented ports: on line 4 is
// at 4:4 (compose: L2.C3-L4.C4), an unclosed [ on line 7 at 7:9.
func TestYAMLErrorsAtComposePositions(t *testing.T) {
	for _, c := range []struct {
		name, compose string
		line, col     int
		msg           string
	}{
		{"mis-indented key", "services:\n  web:\n    image: nginx\n   ports:\n      - \"80:80\"\n", 4, 4,
			"did not find expected key (while parsing a block mapping at L2.C3-L4.C4)"},
		{"unclosed [", "services:\n  web:\n    image: nginx\n    environment:\n      A: b\n    ports:\n      - [ \"80:80\"\n  db:\n    image: postgres\n", 7, 9,
			"did not find expected ',' or ']' (while parsing a flow sequence at L7.C9-L8.C3)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			treetest.Write(t, dir, map[string]string{"docker-compose.yml": c.compose})
			res := run(t, invocation{args: []string{"check", dir, "--format", "json"}})
			r := decodeReport(t, res)
			if res.code != 2 || len(r.Errors) != 1 {
				t.Fatalf("exit %d, errors %+v; want exit 2 and one error", res.code, r.Errors)
			}
			if e := r.Errors[0]; e.File != "docker-compose.yml" || e.Line != c.line || e.Column != c.col || e.Message != c.msg {
				t.Errorf("error %s:%d:%d %q, want docker-compose.yml:%d:%d %q", e.File, e.Line, e.Column, e.Message, c.line, c.col, c.msg)
			}
		})
	}
}

// TestExtendsSourceFile: a file used only as an extends: file: source
// belongs to the project that extends it and is not checked as a project
// of its own (no duplicated findings, 2 files checked, not 3); a file
// docker compose runs by default (docker-compose.yml) stays a project when
// another file extends it.
func TestExtendsSourceFile(t *testing.T) {
	res := run(t, invocation{args: []string{"check", fixture("extends-source-file"), "--format", "json"}})
	r := decodeReport(t, res)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	compareFindings(t, r.Findings, []want{{"DBP601", "docker-compose.dev.yml", 2, "db"}})
	doc, _ := inputOf(t, invocation{args: []string{"input", fixture("extends-source-file")}})
	var files []string
	for _, f := range doc.Files {
		files = append(files, f.Path+" "+f.Role)
	}
	if want := []string{"docker-compose.base.yml extends", "docker-compose.dev.yml base"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if len(doc.Services) != 1 || doc.Services[0].Name != "db" {
		t.Errorf("services %+v, want db alone", doc.Services)
	}

	dir := t.TempDir()
	treetest.Write(t, dir, map[string]string{
		"docker-compose.yml":      "services:\n  web:\n    image: nginx:1.27\n",
		"docker-compose.prod.yml": "services:\n  web:\n    extends:\n      file: docker-compose.yml\n      service: web\n",
	})
	doc, _ = inputOf(t, invocation{args: []string{"input", dir}})
	files = nil
	for _, f := range doc.Files {
		files = append(files, f.Path+" "+f.Role)
	}
	if want := []string{"docker-compose.prod.yml base", "docker-compose.yml extends", "docker-compose.yml base"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
}

// TestExplicitFileFromAnotherDirectory: -f FILE works like docker compose
// -f: the project directory is the file's directory, where the .env, the
// convention table and the configuration are read, and nothing else under
// the current directory is walked; with PATH, a relative -f that is not in
// the current directory is taken from PATH.
func TestExplicitFileFromAnotherDirectory(t *testing.T) {
	parent := t.TempDir()
	treetest.Write(t, parent, map[string]string{
		"repo/docker-compose.yml": "services:\n  postgres:\n    image: postgres:16\n    ports:\n      - \"${POSTGRES_PORT:-7000}:5432\"\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n" +
			"volumes:\n  pgdata:\n    name: pgdata\n    external: true\n",
		"repo/.env":                "POSTGRES_PORT=7000\n",
		"repo/PORTS-CONVENTION.md": "| Port | Service | Env var |\n|---|---|---|\n| 7000 | postgres | POSTGRES_PORT |\n",
		// Siblings of the project: none of them is the project's.
		"sibling/.env":               "API_PORT=8080\n",
		"other/docker-compose.yml":   "services:\n  web:\n    image: nginx\n    ports:\n      - \"7000:80\"\n",
		"PORTS-CONVENTION.md":        "| Port | Service |\n|---|---|\n| 7005 | nobody |\n",
		"app/src/index.js":           "require('dotenv').config()\n",
		"repo/.portguard.yaml":       "fail_on: error\n",
		"repo/tools/stray/.env.test": "X=1\n",
	})
	for _, c := range []struct {
		name string
		inv  invocation
		root string // what the paths are relative to
	}{
		{"from the parent, -f repo/docker-compose.yml", invocation{dir: parent, args: []string{"check", "-f", "repo/docker-compose.yml", "--format", "json"}}, "repo/"},
		{"from elsewhere, PATH -f docker-compose.yml", invocation{dir: t.TempDir(), args: []string{"check", filepath.Join(parent, "repo"), "-f", "docker-compose.yml", "--format", "json"}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, c.inv)
			r := decodeReport(t, res)
			if res.code != 1 || len(r.Errors) != 0 {
				t.Errorf("exit %d, errors %+v; want exit 1 (the stray .env of the project) and no error", res.code, r.Errors)
			}
			if r.EnvFile != c.root+".env" {
				t.Errorf("env_file %q, want %q", r.EnvFile, c.root+".env")
			}
			// The project's own stray .env is found; nothing outside the
			// project directory is.
			compareFindings(t, r.Findings, []want{{"DBP704", c.root + "tools/stray/.env.test", 1, ""}})
			in := c.inv
			in.args = append([]string{"input"}, in.args[1:len(in.args)-2]...)
			doc, _ := inputOf(t, in)
			if doc.Conventions.File != c.root+"PORTS-CONVENTION.md" || len(doc.Conventions.Rows) != 1 || *doc.Conventions.Rows[0].Port != 7000 {
				t.Errorf("conventions %+v, want the project's table", doc.Conventions)
			}
			if len(doc.Services) != 1 || doc.Services[0].File != c.root+"docker-compose.yml" {
				t.Errorf("services %+v, want postgres of %sdocker-compose.yml", doc.Services, c.root)
			}
		})
	}
}
