package scaffold

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const entryAtDash0 = `# The team's portguard rules stay formatted and tested (portguard init).
- repo: local
  hooks:
    - id: portguard-fmt
      name: portguard fmt --check
      entry: portguard fmt --check policy
      language: system
      files: ^policy/.*\.rego$
      pass_filenames: false
    - id: portguard-verify
      name: portguard verify
      entry: portguard verify --policy policy
      language: system
      files: ^policy/.*\.rego$
      pass_filenames: false
`

func TestMergePreCommit(t *testing.T) {
	cases := []struct {
		name, old string
		outcome   string
		want      string // exact new text; "" when the outcome says it is old
		err       string
	}{
		{name: "no file", outcome: Wrote, want: "repos:\n" + preCommitEntry},
		{name: "an empty file", old: "\n", outcome: Wrote, want: "repos:\n" + preCommitEntry},
		{name: "a list indented by two", outcome: Added,
			old:  "# hooks\nrepos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: trailing-whitespace # keep\n",
			want: "# hooks\nrepos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: trailing-whitespace # keep\n" + preCommitEntry},
		{name: "a list at column 0, followed by another key and its comment", outcome: Added,
			old:  "repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: x\n    language: system\n\n# pre-commit.ci\nci:\n  autofix_prs: false\n",
			want: "repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: x\n    language: system\n" + entryAtDash0 + "\n# pre-commit.ci\nci:\n  autofix_prs: false\n"},
		{name: "an empty flow list", outcome: Added, old: "default_stages: [pre-commit]\nrepos: []\nfail_fast: true\n",
			want: "default_stages: [pre-commit]\nrepos:\n" + preCommitEntry + "fail_fast: true\n"},
		{name: "no repos key, no final newline", outcome: Added, old: "fail_fast: true",
			want: "fail_fast: true\nrepos:\n" + preCommitEntry},
		{name: "CRLF line endings", outcome: Added, old: "repos:\r\n  - repo: local\r\n    hooks: []\r\n",
			want: "repos:\r\n  - repo: local\r\n    hooks: []\r\n" + strings.ReplaceAll(preCommitEntry, "\n", "\r\n")},
		{name: "a hook of the entry is there", outcome: Unchanged,
			old: "repos:\n  - repo: local\n    hooks:\n      - id: portguard-verify\n        name: v\n        entry: portguard verify --policy rules\n        language: system\n"},
		{name: "a flow list with items", old: "repos: [{repo: local, hooks: []}]\n", err: "line 1: repos is written as a [flow, list]"},
		{name: "repos is not a list", old: "repos:\n  local: true\n", err: "line 2: repos is not a list"},
		{name: "not YAML", old: "repos:\n  - repo: [\n", err: "not valid YAML"},
		{name: "not a mapping", old: "- a\n- b\n", err: "the top level is not a mapping"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var old []byte
			if c.old != "" {
				old = []byte(c.old)
			}
			got, outcome, err := MergePreCommit(old)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if outcome != c.outcome {
				t.Errorf("outcome %s, want %s", outcome, c.outcome)
			}
			want := c.want
			if want == "" {
				want = c.old
			}
			if string(got) != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			var cfg struct {
				Repos []struct {
					Repo  string `yaml:"repo"`
					Hooks []struct {
						ID, Entry string
					} `yaml:"hooks"`
				} `yaml:"repos"`
			}
			if err := yaml.Unmarshal(got, &cfg); err != nil {
				t.Fatalf("the result is not YAML: %v", err)
			}
			ids := map[string]string{}
			for _, r := range cfg.Repos {
				for _, h := range r.Hooks {
					ids[h.ID] = h.Entry
				}
			}
			if c.outcome != Unchanged && (ids["portguard-fmt"] != "portguard fmt --check policy" || ids["portguard-verify"] != "portguard verify --policy policy") {
				t.Errorf("hooks %v lack the portguard ones", ids)
			}
		})
	}
}

func TestFilesPinARelease(t *testing.T) {
	workflow := func(version string) string {
		for _, f := range Files(version) {
			if f.Path == ".github/workflows/portguard-policy.yml" {
				return string(f.Data)
			}
		}
		t.Fatal("no workflow in the scaffold")
		return ""
	}
	if w := workflow("v1.4.2"); !strings.Contains(w, "go install github.com/portguard/portguard/cmd/portguard@v1.4.2\n") {
		t.Errorf("a release is not pinned:\n%s", w)
	}
	for _, v := range []string{"dev", "v1.4.2-3-gabcdef-dirty", ""} {
		if w := workflow(v); !strings.Contains(w, "cmd/portguard@latest\n") {
			t.Errorf("version %q: not @latest:\n%s", v, w)
		}
	}
}
