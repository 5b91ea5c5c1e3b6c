package migrate

import (
	"context"
	"testing"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/treetest"
)

// plan checks the repository as check does and plans its migration.
func plan(t *testing.T, files map[string]string) *Plan {
	t.Helper()
	root := treetest.WriteTemp(t, files)
	ctx := context.Background()
	doc, err := input.Load(input.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Eval(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := eng.Suppress(ctx, doc, fs, nil, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compute(ctx, eng, root, doc, sup.Active, sup.Suppressed)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A database whose data is in its container loses it when recreated:
// the plan says so.
func TestPlanMarksDataThatARecreationLoses(t *testing.T) {
	p := plan(t, map[string]string{
		"docker-compose.yml": "name: shop\nservices:\n  redis:\n    image: redis:7\n    ports:\n      - \"6379:6379\"\n" +
			"  postgres:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n    volumes:\n      - pg:/var/lib/postgresql/data\nvolumes:\n  pg: {}\n",
	})
	if len(p.Recreate) != 2 {
		t.Fatalf("recreate = %+v", p.Recreate)
	}
	pg, redis := p.Recreate[0], p.Recreate[1]
	if pg.Service != "postgres" || pg.LosesData || len(pg.Keeps) != 1 || pg.Keeps[0].Volume != "shop_pg" || pg.Keeps[0].Type != "volume" {
		t.Errorf("postgres: %+v", pg)
	}
	if redis.Service != "redis" || !redis.LosesData || len(redis.Keeps) != 0 {
		t.Errorf("redis: %+v", redis)
	}
	if pg.Dump != "pg_dumpall" || redis.Dump != "" {
		t.Errorf("dump tools: %q, %q", pg.Dump, redis.Dump)
	}
}

// With no port left in the sub-range, the move is listed as blocked and
// the files do not change for it.
func TestPlanBlockedWithoutAFreePort(t *testing.T) {
	p := plan(t, map[string]string{
		".portguard.yaml":    "ranges:\n  ui: {from: 7100, to: 7100}\n",
		"docker-compose.yml": "services:\n  adminer:\n    image: adminer\n    ports:\n      - \"${ADMINER_PORT:-7100}:8080\"\n  pgadmin:\n    image: dpage/pgadmin4\n    ports:\n      - \"${PGADMIN_PORT:-8080}:80\"\n",
		".env":               "ADMINER_PORT=7100\nPGADMIN_PORT=8080\n",
	})
	if len(p.Moves) != 0 || len(p.Changes) != 0 || p.Fix != nil {
		t.Errorf("moves = %+v, changes = %+v", p.Moves, p.Changes)
	}
	if len(p.Blocked) != 1 || p.Blocked[0].Service != "pgadmin" || p.Blocked[0].Problem != "no free port is left in ui 7100-7100" {
		t.Errorf("blocked = %+v", p.Blocked)
	}
}
