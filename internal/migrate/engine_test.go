package migrate

import (
	"context"
	"encoding/binary"
	"net"
	"reflect"
	"testing"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
)

// The labels compose puts on a container say how to recreate it: a
// relative env file is relative to the project directory.
func TestInvocationFromLabels(t *testing.T) {
	c := docker.Container{Labels: map[string]string{
		docker.LabelProject:     "shop",
		docker.LabelWorkingDir:  "/srv/shop",
		docker.LabelConfigFiles: "/srv/shop/compose.yml,/srv/shop/compose.prod.yml",
		LabelEnvFiles:           "deploy.env,/etc/shop.env",
	}}
	got := invocation(c)
	want := compose.Project{Name: "shop", Dir: "/srv/shop", Files: []string{"/srv/shop/compose.yml", "/srv/shop/compose.prod.yml"}, EnvFiles: []string{"/srv/shop/deploy.env", "/etc/shop.env"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("invocation = %+v, want %+v", got, want)
	}
}

type printedConfig struct {
	v2  bool
	out string
}

func (p printedConfig) Run(context.Context, compose.Project, ...string) (compose.Output, error) {
	return compose.Output{Stdout: []byte(p.out)}, nil
}

func (p printedConfig) V2() bool { return p.v2 }

// compose config is read alike as Compose v2 JSON and docker-compose 1.x
// YAML: published ports by container port, the volume at each target
// (its name: or <project>_<key>).
func TestResolveConfig(t *testing.T) {
	want := &resolved{Name: "shop", Services: map[string]resolvedService{
		"db": {Ports: map[string][]int{"5432/tcp": {7000}, "53/udp": {7053}}, Volumes: map[string]string{"/var/lib/postgresql/data": "shop-pgdata", "/cache": "shop_cache"}},
	}}
	for _, out := range []printedConfig{
		{true, `{"name": "shop", "services": {"db": {"environment": {"POSTGRES_PASSWORD": "s3cret"},
			"ports": [{"target": 5432, "published": "7000", "protocol": "tcp"}, {"target": 53, "published": "7053", "protocol": "udp"}],
			"volumes": [{"type": "volume", "source": "pgdata", "target": "/var/lib/postgresql/data"}, {"type": "volume", "source": "cache", "target": "/cache"}, {"type": "bind", "source": "/etc", "target": "/etc"}]}},
			"volumes": {"pgdata": {"name": "shop-pgdata"}, "cache": {}}}`},
		{false, "name: shop\nservices:\n  db:\n    ports:\n    - target: 5432\n      published: 7000\n    - target: 53\n      published: 7053\n      protocol: udp\n    volumes:\n    - type: volume\n      source: pgdata\n      target: /var/lib/postgresql/data\n    - type: volume\n      source: cache\n      target: /cache\nvolumes:\n  pgdata:\n    name: shop-pgdata\n  cache: {}\n"},
	} {
		got, err := resolve(context.Background(), out, compose.Project{Name: "shop"})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("v2 %v: resolved %+v, want %+v", out.v2, got, want)
		}
	}
}

// A port answers when its connection stays open (or speaks); a listener
// that closes at once, as docker's proxy does while the container does
// not listen yet, does not. A PostgreSQL server must answer an SSLRequest.
func TestAnswers(t *testing.T) {
	serve := func(handle func(net.Conn)) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go handle(c)
			}
		}()
		return l.Addr().(*net.TCPAddr).Port
	}
	quiet := serve(func(c net.Conn) { buf := make([]byte, 8); c.Read(buf); c.Close() })
	closing := serve(func(c net.Conn) { c.Close() })
	postgres := serve(func(c net.Conn) {
		buf := make([]byte, 8)
		if _, err := c.Read(buf); err == nil && binary.BigEndian.Uint32(buf[4:]) == 80877103 {
			c.Write([]byte("N"))
		}
		c.Close()
	})
	if err := answers("", quiet, false); err != nil {
		t.Errorf("a server that waits for its client: %v", err)
	}
	if err := answers("0.0.0.0", closing, false); err == nil {
		t.Error("a port that closes at once answers")
	}
	if err := answers("127.0.0.1", postgres, true); err != nil {
		t.Errorf("a PostgreSQL answer: %v", err)
	}
	if err := answers("", quiet, true); err == nil {
		t.Error("a server that does not answer the SSLRequest passes as PostgreSQL")
	}
	if portFree("", quiet, "tcp") {
		t.Error("a port with a listener is free")
	}
}
