package mcp

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/portguard/portguard/input"
)

// TestAuditGathersAsTheCommand: the audit tool asks for the host's facts
// with the root portguard audit gives: "" without a path (the stacks of
// the containers are found through their compose labels), the path as
// given with one.
func TestAuditGathersAsTheCommand(t *testing.T) {
	dir := t.TempDir()
	compose := "services:\n  db:\n    image: postgres:16\n"
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", dir} {
		var roots []string
		s, _, err := newServer(context.Background(), Options{Version: "test", Live: func(_ context.Context, root string) *input.Live {
			roots = append(roots, root)
			return &input.Live{Host: "h", Listing: true, Containers: []input.LiveContainer{}, Volumes: []input.LiveVolume{}}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.audit(context.Background(), nil, AuditInput{Path: path}); err != nil {
			t.Fatalf("audit %q: %v", path, err)
		}
		if len(roots) != 1 || roots[0] != path {
			t.Errorf("audit with path %q gathered the live facts with roots %q, want [%q]", path, roots, path)
		}
	}
}
