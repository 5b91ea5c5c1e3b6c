package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/portguard/portguard/input"
)

// The live rules give the same findings on the plan as under topdown, on a
// document where each of DBP801-DBP805 fires.
func TestPlanMatchesTopdownLive(t *testing.T) {
	root := t.TempDir()
	for name, body := range map[string]string{
		"compose.yml": `name: shop
services:
  postgres:
    image: postgres:16
    ports: ["7001:5432"]
    volumes: [pgdata:/var/lib/postgresql/data]
  web:
    image: nginx:1.27
    ports: ["3000:80"]
volumes:
  pgdata: {}
`,
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := input.Load(input.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	container := func(name, image, project, service string, ports ...input.LivePort) input.LiveContainer {
		repo, iname, words := input.ImageFacts(image)
		return input.LiveContainer{ID: "0123456789ab", Name: name, Image: image, ImageRepo: repo, ImageName: iname, ImageTokens: words,
			State: "running", Running: true, Project: project, Service: service, Tokens: input.Words(service),
			ConfigFiles: []string{"compose.yml"}, Labels: map[string]string{}, Ports: ports, Mounts: []input.LiveMount{}}
	}
	l := &input.Live{
		Host: "h", Listing: true,
		Listeners: []input.Listener{
			{Protocol: "tcp", IP: "0.0.0.0", Port: 3000, PID: 10, Command: "node", OwnerVisible: true},
			{Protocol: "tcp", IP: "127.0.0.1", Port: 7500, PID: 11, Command: "python3", OwnerVisible: true},
			{Protocol: "udp", IP: "0.0.0.0", Port: 7600},
		},
		Docker: input.LiveDocker{Inspected: true, Host: "unix:///var/run/docker.sock", APIVersion: "1.41"},
		Containers: []input.LiveContainer{
			container("shop-postgres-1", "postgres:16", "shop", "postgres", input.LivePort{HostIP: "0.0.0.0", Published: 7000, Target: 5432, Protocol: "tcp"}),
			container("legacy-redis-1", "redis:7", "legacy", "redis", input.LivePort{HostIP: "0.0.0.0", Published: 6379, Target: 6379, Protocol: "tcp"}),
			container("legacy-grafana-1", "grafana/grafana:11", "legacy", "grafana", input.LivePort{HostIP: "0.0.0.0", Published: 7300, Target: 3000, Protocol: "tcp"}),
		},
		Volumes: []input.LiveVolume{{Name: "shop_pgdata", Driver: "local", Project: "shop", Key: "pgdata", Labels: map[string]string{}, UsedBy: []string{}}},
	}
	if err := doc.JoinLive(l, nil); err != nil {
		t.Fatal(err)
	}
	planned, compiled := evaluators(t)
	want, err := compiled.Eval(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := planned.Eval(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if i, differ := firstDiffering(got, want); differ {
		t.Errorf("the plan gives %d findings, topdown %d; finding %d differs:\nplan:    %s\ntopdown: %s", len(got), len(want), i, at(got, i), at(want, i))
	}
	fired := map[string]int{}
	for _, f := range got {
		fired[f.RuleID]++
	}
	for _, id := range []string{"DBP801", "DBP802", "DBP803", "DBP804", "DBP805"} {
		if fired[id] == 0 {
			t.Errorf("%s did not fire: %v", id, fired)
		}
	}
}
