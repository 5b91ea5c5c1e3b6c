package main

// End-to-end tests of compose profiles: services in disjoint profiles are
// alternatives, and --profile checks the services docker compose would
// start with those profiles, which then run together.

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestProfiles(t *testing.T) {
	alt := fixture("profile-alternatives")
	runCheckCases(t, []checkCase{
		{name: "disjoint profiles are alternatives", path: alt, exit: 0},
		{name: "--profile pg --profile mysql runs both", path: alt, args: []string{"--profile", "pg", "--profile", "mysql"}, exit: 1, findings: []want{
			{"DBP401", dc, 8, "postgres"},
			{"DBP401", dc, 15, "mysql"},
		}},
		{name: "--profile mysql", path: alt, args: []string{"--profile", "mysql"}, exit: 0},
	})

	// --profile keeps the services of the profile and those without one.
	for _, c := range []struct {
		profiles []string
		want     []string
	}{
		{nil, []string{"mysql", "pgadmin", "postgres"}},
		{[]string{"mysql"}, []string{"mysql", "pgadmin"}},
		{[]string{"pg", "mysql"}, []string{"mysql", "pgadmin", "postgres"}},
		{[]string{"*"}, []string{"mysql", "pgadmin", "postgres"}},
		{[]string{"debug"}, []string{"pgadmin"}},
	} {
		args := []string{"input", alt}
		for _, p := range c.profiles {
			args = append(args, "--profile", p)
		}
		res := run(t, invocation{args: args})
		var doc struct {
			Profiles []string `json:"profiles"`
			Services []struct {
				Name string `json:"name"`
			} `json:"services"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || res.code != 0 {
			t.Fatalf("%v: exit %d, %v\n%s", args, res.code, err, res.stderr)
		}
		var names []string
		for _, s := range doc.Services {
			names = append(names, s.Name)
		}
		if !slices.Equal(names, c.want) || !slices.Equal(doc.Profiles, append([]string{}, c.profiles...)) {
			t.Errorf("%v: services %v and profiles %v, want %v and %v", args, names, doc.Profiles, c.want, c.profiles)
		}
	}

	// fix with both profiles sees the conflict, and leaves the shared
	// variable alone: no value of DB_PORT moves one and keeps the other.
	res := run(t, invocation{args: []string{"fix", "--dry-run", alt, "--profile", "pg", "--profile", "mysql"}})
	const want = `nothing to fix
no machine fix for 1 finding:
  docker-compose.yml:8:9  DBP401  postgres: its variable DB_PORT is shared by mappings that need different ports
1 other finding has no machine fix (DBP401): portguard check lists it
`
	if res.code != 0 || res.stdout != want {
		t.Errorf("fix --dry-run with both profiles: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
