package agents

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMergeMCPConfigNewFile(t *testing.T) {
	got, outcome, err := MergeMCPConfig(nil, false)
	if err != nil || outcome != Added {
		t.Fatalf("outcome %q, err %v", outcome, err)
	}
	want := "{\n  \"mcpServers\": {\n    \"portguard\": {\n      \"command\": \"portguard\",\n      \"args\": [\n        \"mcp\"\n      ]\n    }\n  }\n}\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMergeMCPConfigKeepsOtherServers(t *testing.T) {
	old := `{
  "$schema": "x",
  "mcpServers": {
    "zeta": {"command": "zeta", "args": ["serve", "--port", "7"], "env": {"TOKEN": "${TOKEN}"}},
    "alpha": {"type": "http", "url": "https://alpha.example/mcp"}
  },
  "other": [1, 2.50, "three"]
}
`
	got, outcome, err := MergeMCPConfig([]byte(old), false)
	if err != nil || outcome != Added {
		t.Fatalf("outcome %q, err %v", outcome, err)
	}
	want := `{
  "$schema": "x",
  "mcpServers": {
    "zeta": {
      "command": "zeta",
      "args": [
        "serve",
        "--port",
        "7"
      ],
      "env": {
        "TOKEN": "${TOKEN}"
      }
    },
    "alpha": {
      "type": "http",
      "url": "https://alpha.example/mcp"
    },
    "portguard": {
      "command": "portguard",
      "args": [
        "mcp"
      ]
    }
  },
  "other": [
    1,
    2.50,
    "three"
  ]
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	again, outcome, err := MergeMCPConfig(got, false)
	if err != nil || outcome != Unchanged || string(again) != string(got) {
		t.Errorf("second merge: outcome %q, err %v, changed %v", outcome, err, string(again) != string(got))
	}
}

func TestMergeMCPConfigNoServersKey(t *testing.T) {
	got, outcome, err := MergeMCPConfig([]byte(`{"a": true}`), false)
	if err != nil || outcome != Added {
		t.Fatalf("outcome %q, err %v", outcome, err)
	}
	var v struct {
		Servers map[string]any `json:"mcpServers"`
	}
	if err := json.Unmarshal(got, &v); err != nil || v.Servers["portguard"] == nil {
		t.Errorf("got %s (%v)", got, err)
	}
	if !strings.HasPrefix(string(got), "{\n  \"a\": true,\n  \"mcpServers\"") {
		t.Errorf("the existing key does not come first:\n%s", got)
	}
}

func TestMergeMCPConfigOwnEntry(t *testing.T) {
	old := `{"mcpServers": {"portguard": {"command": "/opt/bin/portguard", "args": ["mcp", "--policy", "policy"]}, "b": {"command": "b"}}}`
	got, outcome, err := MergeMCPConfig([]byte(old), false)
	if err != nil || outcome != Kept || string(got) != old {
		t.Errorf("without force: outcome %q, err %v, got %s", outcome, err, got)
	}
	got, outcome, err = MergeMCPConfig([]byte(old), true)
	if err != nil || outcome != Replaced {
		t.Fatalf("with force: outcome %q, err %v", outcome, err)
	}
	var v struct {
		Servers map[string]struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		} `json:"mcpServers"`
	}
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	if pg := v.Servers["portguard"]; pg.Command != "portguard" || strings.Join(pg.Args, " ") != "mcp" || v.Servers["b"].Command != "b" {
		t.Errorf("got %s", got)
	}
	// The same entry with its keys in another order is the same entry.
	same := `{"mcpServers": {"portguard": {"args": ["mcp"], "command": "portguard"}}}`
	if _, outcome, _ := MergeMCPConfig([]byte(same), false); outcome != Unchanged {
		t.Errorf("reordered entry: outcome %q", outcome)
	}
}

func TestMergeMCPConfigErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"{\n  \"mcpServers\": {\n    \"a\": {,}\n  }\n}\n", "3:11:"},
		{"\n  [1, 2]", "2:3: not a JSON object"},
		{`{"mcpServers": []}`, "mcpServers: 1:1: not a JSON object"},
		{`{"a": 1} {"b": 2}`, "1:10: invalid character '{' after top-level value"},
		{`{"a": 1, "a": 2}`, `1:10: duplicate key "a"`},
		{`{"a": 1`, "1:8:"},
	} {
		_, _, err := MergeMCPConfig([]byte(c.in), false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestWorkflow(t *testing.T) {
	w := Workflow("stacks/prod")
	if strings.HasPrefix(w, "---") || strings.Contains(w, "allowed-tools") {
		t.Errorf("the prompt carries the front matter:\n%s", w)
	}
	if !strings.Contains(w, "stacks under `stacks/prod`") || strings.Contains(w, "$ARGUMENTS") {
		t.Errorf("the path is not in the workflow:\n%s", w[:200])
	}
	for _, step := range []string{"**Status.**", "**Backup.**", "**Plan.**", "**Confirmation.**", "**Apply.**", "**Verification.**"} {
		if !strings.Contains(w, step) {
			t.Errorf("the workflow has no step %s", step)
		}
	}
}
