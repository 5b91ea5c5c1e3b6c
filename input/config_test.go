package input

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	cfg := DefaultConfig()
	src := `# team overrides
ranges:
  ui: {from: 7150, to: 7199}
fail_on: warning
env_var_form: all
categories:
  cache: database
exceptions:
  - rule: DBP102
    service: legacy
    reason: moves next quarter
disabled_rules: [DBP302]
severity: {DBP204: error}
`
	if err := ParseConfig(".portguard.yaml", []byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Ranges["ui"] != (Range{7150, 7199}) || cfg.Ranges["database"] != (Range{7000, 7099}) {
		t.Errorf("ranges = %v: ui replaced, the others kept", cfg.Ranges)
	}
	if cfg.FailOn != "warning" || cfg.EnvVarForm != "all" || cfg.Categories["cache"] != "database" || cfg.Severity["DBP204"] != "error" {
		t.Errorf("config = %+v", cfg)
	}
	if len(cfg.Exceptions) != 1 || cfg.Exceptions[0].Line != 9 || cfg.Exceptions[0].Reason != "moves next quarter" {
		t.Errorf("exceptions = %+v", cfg.Exceptions)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"fail_on: error\nbogus: 1\n", ".portguard.yaml:2: unknown key bogus"},
		{"ranges:\n  ui: {from: 7100, to: 7000}\n", ".portguard.yaml:2: range ui: 7100-7000 is not a valid port range"},
		{"fail_on: sometimes\n", `.portguard.yaml:1: fail_on: "sometimes" is not one of error, warning, never`},
		{"env_var_form: some\n", `.portguard.yaml:1: env_var_form: "some"`},
		{"severity:\n  DBP101: fatal\n", `.portguard.yaml:2: severity of DBP101: "fatal"`},
		{"max_file_size: lots\n", ".portguard.yaml:1: cannot unmarshal"},
		{"exceptions:\n  - service: x\n    reason: y\n", ".portguard.yaml:2: exception without rule"},
		{"ranges: [1, 2\n", ".portguard.yaml:1:"},
		{"conflict_scope: repository\n", `.portguard.yaml:1: conflict_scope: "repository" is not one of host, project`},
		{"exclude:\n  - legacy\n  - \"samples/[a-\"\n", `.portguard.yaml:3: exclude: "samples/[a-" is not a valid glob`},
		{"exclude: [\"./\"]\n", `.portguard.yaml:1: exclude: "./" excludes nothing`},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		err := ParseConfig(".portguard.yaml", []byte(tt.src), &cfg)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%q) error = %v, want prefix %q", tt.src, err, tt.want)
		}
		if _, ok := err.(*ConfigError); !ok {
			t.Errorf("ParseConfig(%q) error is %T, want *ConfigError (exit 2)", tt.src, err)
		}
	}
}

func TestLoadConfigMissing(t *testing.T) {
	if _, err := LoadConfig("/nonexistent/.portguard.yaml", ".portguard.yaml", false); err != nil {
		t.Errorf("a missing default config is not an error: %v", err)
	}
	if _, err := LoadConfig("/nonexistent/team.yaml", "team.yaml", true); err == nil || !strings.HasPrefix(err.Error(), "team.yaml: cannot read config") {
		t.Errorf("a missing --config is an error, got %v", err)
	}
}
