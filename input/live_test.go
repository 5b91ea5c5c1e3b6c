package input

import (
	"reflect"
	"testing"
)

// A document with live facts matches input/schema.json.
func TestSchemaValidatesLive(t *testing.T) {
	doc, err := Load(Options{Root: writeTree(t, map[string]string{"compose.yml": "services:\n  db:\n    image: postgres:16\n    ports: [\"7000:5432\"]\n"})})
	if err != nil {
		t.Fatal(err)
	}
	repo, name, words := ImageFacts("docker.io/library/postgres:16")
	l := &Live{
		Host:      "host-1",
		Listing:   true,
		Listeners: []Listener{{Protocol: "tcp", IP: "0.0.0.0", Port: 7000, PID: 42, Command: "docker-proxy", OwnerVisible: true}, {Protocol: "udp", IP: "::", Port: 7001}},
		Docker:    LiveDocker{Inspected: true, Host: "unix:///var/run/docker.sock", APIVersion: "1.41"},
		Containers: []LiveContainer{{
			ID: "0123456789ab", Name: "demo-db-1", Image: "postgres:16", ImageRepo: repo, ImageName: name, ImageTokens: words,
			State: "running", Running: true, Project: "demo", Service: "db", Tokens: Words("db"), ConfigFiles: []string{"compose.yml"},
			Labels: RedactLabels(map[string]string{"portguard.category": "database", "traefik.auth": "user:secret"}),
			Ports:  []LivePort{{HostIP: "0.0.0.0", Published: 7000, Target: 5432, Protocol: "tcp"}},
			Mounts: []LiveMount{{Type: "volume", Name: "demo_pgdata", Destination: "/var/lib/postgresql/data"}},
		}},
		Volumes: []LiveVolume{{Name: "demo_pgdata", Driver: "local", Project: "demo", Key: "pgdata", Labels: map[string]string{}, UsedBy: []string{"demo-db-1"}}},
	}
	if err := doc.JoinLive(l, nil); err != nil {
		t.Fatal(err)
	}
	validateDoc(t, compileSchema(t), "live", doc)
}

// A container is classified as a service is: its label, its image, then
// the words of its compose service's name; .portguard.yaml categories by
// that name.
func TestClassifyContainer(t *testing.T) {
	for _, tc := range []struct {
		c          LiveContainer
		categories map[string]string
		category   string
		by         string
	}{
		{LiveContainer{Name: "shop-db-1", Service: "db", Image: "postgres:16", Labels: map[string]string{"portguard.category": "ui"}}, nil, "ui", "label"},
		{LiveContainer{Name: "shop-db-1", Service: "db", Image: "postgres:16", Labels: map[string]string{}}, nil, "database", "image"},
		{LiveContainer{Name: "shop-cache-1", Service: "cache", Image: "redis:7", Labels: map[string]string{}}, map[string]string{"cache": "other"}, "other", "config"},
		{LiveContainer{Name: "orders-db", Image: "acme/orders:1", Labels: map[string]string{}}, nil, "database", "name"},
		{LiveContainer{Name: "web", Image: "acme/web:1", Labels: map[string]string{}}, nil, "other", "none"},
	} {
		tc.c.ImageRepo, tc.c.ImageName, tc.c.ImageTokens = ImageFacts(tc.c.Image)
		n := tc.c.Service
		if n == "" {
			n = tc.c.Name
		}
		tc.c.Tokens = Words(n)
		l := &Live{Containers: []LiveContainer{tc.c}}
		doc := EmptyDocument(DefaultConfig())
		doc.Config.Categories = tc.categories
		if err := doc.JoinLive(l, testKB(t)); err != nil {
			t.Fatal(err)
		}
		if got := doc.Live.Containers[0].Classification; got.Category != tc.category || got.DecidedBy != tc.by {
			t.Errorf("%s: %s by %s, want %s by %s", tc.c.Name, got.Category, got.DecidedBy, tc.category, tc.by)
		}
	}
}

func TestLiveHelpers(t *testing.T) {
	repo, name, words := ImageFacts("ghcr.io/acme/timescale-db:2.14@sha256:abc")
	if repo != "acme/timescale-db" || name != "timescale-db" || !reflect.DeepEqual(words, []string{"timescale", "db"}) {
		t.Errorf("ImageFacts: %q %q %v", repo, name, words)
	}
	in := map[string]string{"portguard.category": "ui", "com.docker.compose.project": "x", "token": "s3cret"}
	got := RedactLabels(in)
	want := map[string]string{"portguard.category": "ui", "com.docker.compose.project": Redacted, "token": Redacted}
	if !reflect.DeepEqual(got, want) || in["token"] != "s3cret" {
		t.Errorf("RedactLabels: %v (input now %v)", got, in)
	}
}
