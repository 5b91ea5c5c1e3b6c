package input

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

func testEnv(vars map[string]string) portEnv {
	d := &dotenvFacts{Compose: map[string]string{}, App: map[string]string{}, Lines: map[string]int{}}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		d.Compose[k], d.App[k], d.Lines[k] = vars[k], vars[k], i+1
	}
	return portEnv{dotenv: d, file: ".env"}
}

// portSummary renders the facts of a port that the table compares.
func portSummary(p Port) string {
	b, _ := json.Marshal(map[string]any{
		"ip": p.HostIP, "proto": p.Protocol, "pub": p.Published, "pub_range": p.PublishedRange,
		"target": p.Target, "target_range": p.TargetRange, "eff": p.Effective, "eff_range": p.EffectiveRange,
		"var": p.Variable,
	})
	return string(b)
}

func TestParseShortPort(t *testing.T) {
	env := testEnv(map[string]string{"PG_PORT": "7001", "BIND": "127.0.0.2", "BAD": "abc"})
	tests := []struct {
		raw  string
		want string
		err  string
	}{
		{"7000:5432", `{"eff":7000,"eff_range":[7000,7000],"ip":"","proto":"tcp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"5432", `{"eff":null,"eff_range":null,"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"127.0.0.1:7000:5432/udp", `{"eff":7000,"eff_range":[7000,7000],"ip":"127.0.0.1","proto":"udp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"[::1]:7000:5432", `{"eff":7000,"eff_range":[7000,7000],"ip":"::1","proto":"tcp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"7000-7001:5432-5433", `{"eff":7000,"eff_range":[7000,7001],"ip":"","proto":"tcp","pub":7000,"pub_range":[7000,7001],"target":5432,"target_range":[5432,5433],"var":null}`, ""},
		{"7000-7005:5432", `{"eff":7000,"eff_range":[7000,7005],"ip":"","proto":"tcp","pub":7000,"pub_range":[7000,7005],"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		// Written default 7000, .env says 7001.
		{"${PG_PORT:-7000}:5432", `{"eff":7001,"eff_range":[7001,7001],"ip":"","proto":"tcp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":{"name":"PG_PORT","form":":-","default":"7000","has_default":true,"env_value":"7001","env_line":3,"env_file":".env","app_value":"7001"}}`, ""},
		{"${NOT_SET-7000}:5432", `{"eff":7000,"eff_range":[7000,7000],"ip":"","proto":"tcp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":{"name":"NOT_SET","form":"-","default":"7000","has_default":true,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		{"${NOT_SET}:5432", `{"eff":null,"eff_range":null,"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":{"name":"NOT_SET","form":"","default":"","has_default":false,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		{"$PG_PORT:5432", `{"eff":7001,"eff_range":[7001,7001],"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":{"name":"PG_PORT","form":"$","default":"","has_default":false,"env_value":"7001","env_line":3,"env_file":".env","app_value":"7001"}}`, ""},
		{"${NOT_SET:?set it}:5432", `{"eff":null,"eff_range":null,"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":{"name":"NOT_SET","form":":?","default":"","has_default":false,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		// The host IP variable is not the host port variable.
		{"${BIND:-127.0.0.1}:${NOT_SET:-7000}:5432", `{"eff":7000,"eff_range":[7000,7000],"ip":"127.0.0.2","proto":"tcp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":{"name":"NOT_SET","form":":-","default":"7000","has_default":true,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		// Unknown IP and unknown port: the mapping keeps its shape.
		{"${IP_UNSET}:${NOT_SET}:5432", `{"eff":null,"eff_range":null,"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":{"name":"NOT_SET","form":"","default":"","has_default":false,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		// No port is special to the parser: 65123 is published like any
		// other, and the variable of the container port is not the host
		// port's.
		{"65123:${NOT_SET:-5432}", `{"eff":65123,"eff_range":[65123,65123],"ip":"","proto":"tcp","pub":65123,"pub_range":[65123,65123],"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"${NOT_SET:-65123}:65123", `{"eff":65123,"eff_range":[65123,65123],"ip":"","proto":"tcp","pub":65123,"pub_range":[65123,65123],"target":65123,"target_range":[65123,65123],"var":{"name":"NOT_SET","form":":-","default":"65123","has_default":true,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		// A non-numeric default is a finding (DBP202), not an input error.
		{"${NOT_SET:-abc}:5432", `{"eff":null,"eff_range":null,"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":{"name":"NOT_SET","form":":-","default":"abc","has_default":true,"env_value":null,"env_line":0,"env_file":"","app_value":null}}`, ""},
		{"abc:5432", "", `invalid port mapping "abc:5432"`},
		{"99999:5432", "", `invalid port mapping "99999:5432"`},
		{"-1:5432", "", `invalid port mapping "-1:5432"`},
		{"7000:5432-5433", "", `invalid port mapping`},
		{"${UNCLOSED:-7000:5432", "", "unclosed variable reference"},
	}
	for _, tt := range tests {
		p, err := parseShortPort(tt.raw, Position{File: "c.yml", Line: 3, Column: 9}, env)
		if !checkParsedPort(t, "parseShortPort", tt.raw, p, err, tt.want, tt.err) {
			continue
		}
		if p.Raw != tt.raw || p.Syntax != "short" || p.Line != 3 {
			t.Errorf("parseShortPort(%q) lost raw/syntax/position: %+v", tt.raw, p)
		}
	}
}

func TestParseLongPort(t *testing.T) {
	env := testEnv(map[string]string{"PG_PORT": "7001"})
	tests := []struct {
		yaml string
		want string
		err  string
	}{
		{"target: 5432\npublished: \"${PG_PORT:-7000}\"\nhost_ip: 127.0.0.1\nprotocol: UDP\n", `{"eff":7001,"eff_range":[7001,7001],"ip":"127.0.0.1","proto":"udp","pub":7000,"pub_range":[7000,7000],"target":5432,"target_range":[5432,5432],"var":{"name":"PG_PORT","form":":-","default":"7000","has_default":true,"env_value":"7001","env_line":1,"env_file":".env","app_value":"7001"}}`, ""},
		{"target: 5432\npublished: 7000-7002\n", `{"eff":7000,"eff_range":[7000,7002],"ip":"","proto":"tcp","pub":7000,"pub_range":[7000,7002],"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"target: 5432\n", `{"eff":null,"eff_range":null,"ip":"","proto":"tcp","pub":null,"pub_range":null,"target":5432,"target_range":[5432,5432],"var":null}`, ""},
		{"published: 7000\n", "", "without target"},
		{"target: 5432\npublished: seven\n", "", `invalid published port "seven"`},
		{"target: x\npublished: 7000\n", "", `invalid target port "x"`},
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tt.yaml), &doc); err != nil {
			t.Fatal(err)
		}
		p, err := parseLongPort(doc.Content[0], newLineIndex([]byte(tt.yaml)), "c.yml", env)
		checkParsedPort(t, "parseLongPort", tt.yaml, p, err, tt.want, tt.err)
	}
}

// checkParsedPort checks what fn gave for in: an error containing wantErr
// when it is not "", else the port whose summary is want. It reports
// whether the port was parsed as wanted, for the caller's further checks.
func checkParsedPort(t *testing.T, fn, in string, p Port, err error, want, wantErr string) bool {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s(%q) error = %v, want %q", fn, in, err, wantErr)
		}
		return false
	}
	if err != nil {
		t.Errorf("%s(%q): %v", fn, in, err)
		return false
	}
	if got := portSummary(p); got != want {
		t.Errorf("%s(%q)\n got  %s\n want %s", fn, in, got, want)
	}
	return true
}

func TestLongPortPointsAtPublished(t *testing.T) {
	src := "target: 5432\npublished: \"${PG_PORT:-7000}\"\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	p, err := parseLongPort(doc.Content[0], newLineIndex([]byte(src)), "c.yml", testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if p.Line != 2 || p.Column != 12 || p.EndColumn != 30 || p.Raw != "${PG_PORT:-7000}" {
		t.Errorf("long syntax position = %d:%d-%d raw %q, want 2:12-30 raw ${PG_PORT:-7000}", p.Line, p.Column, p.EndColumn, p.Raw)
	}
}

// TestSimplePortIsCompose: the fast path parses exactly as compose-go does
// every string it accepts.
func TestSimplePortIsCompose(t *testing.T) {
	alphabet := []string{"0", "1", "5", "6", "9", ":", "/", "-", "a", "65535", "65536", "99999", "7000", "+"}
	cases := []string{"7000:5432", "80", "65535:65535", "1:1", "0:80", "80:0", "07000:80", "65536:80", "7000:5432/tcp", "", ":", "7000:", ":80"}
	seed := uint64(1)
	for len(cases) < 20000 {
		var b strings.Builder
		seed = seed*6364136223846793005 + 1442695040888963407
		for k := int(seed>>60) % 6; k >= 0; k-- {
			seed = seed*6364136223846793005 + 1442695040888963407
			b.WriteString(alphabet[int(seed>>33)%len(alphabet)])
		}
		cases = append(cases, b.String())
	}
	accepted := 0
	for _, s := range cases {
		got, ok := simplePort(s)
		if !ok {
			continue
		}
		accepted++
		want, err := types.ParsePortConfig(s)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: fast path %+v, compose-go %+v (%v)", s, got, want, err)
		}
	}
	if accepted < 100 {
		t.Errorf("only %d strings took the fast path", accepted)
	}
}
