// Package dockertest holds what the engine tests share: the engine (the
// test is skipped, saying why, only when no engine answers), Compose v2,
// unique names, the local listener image, and compose projects that are
// removed whatever the outcome. Tests of several people run on one engine
// at the same time: everything made here has a name of its own and is
// removed by the test that made it; nothing else is touched.
package dockertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
)

// Engine returns a client of the engine, skipping the test when none
// answers.
func Engine(t testing.TB) *docker.Client {
	t.Helper()
	c, err := docker.New()
	if err != nil {
		t.Skipf("no Docker engine: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Info(ctx); err != nil {
		t.Skipf("no Docker engine answers: %v", err)
	}
	return c
}

// Compose returns Compose v2. The engine answered, so a missing Compose v2
// is a broken machine (.ci/compose-v2 installs it), not a reason to skip.
func Compose(t testing.TB) *compose.CLI {
	t.Helper()
	c, err := compose.Find(context.Background())
	if err != nil || !c.V2() {
		t.Fatalf("Compose v2 is needed (run .ci/compose-v2): %v %v", c, err)
	}
	return c
}

// Name returns a name no other test uses: "pgtest-<what>-<random>".
func Name(t testing.TB, what string) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "pgtest-" + what + "-" + hex.EncodeToString(b)
}

// ModuleRoot is the directory of go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ListenerImage builds the test listener (testdata/listener: a static Go
// binary in a FROM scratch image) under a unique tag, removed when the test
// ends. Its arguments name the ports it listens on ("5432", "53/udp").
func ListenerImage(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "listener"), "./testdata/listener")
	build.Dir = ModuleRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the listener: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(ModuleRoot(t), "testdata", "listener", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	tag := "portguard-test/listener:" + strings.TrimPrefix(Name(t, "img"), "pgtest-")
	// Removed with its untagged parents: the legacy builder leaves one
	// image per step (the COPY of the binary), which is this test's too.
	t.Cleanup(func() { Docker(t, "image", "rm", tag) })
	cmd := exec.Command("docker", "build", "-q", "-t", tag, dir)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker build of the listener image: %v\n%s", err, out)
	}
	return tag
}

// Docker runs the docker CLI for a cleanup; a failure is logged, not fatal.
func Docker(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
		t.Logf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Up starts the compose project in dir (its files, or compose's discovery)
// with Compose v2 under the given project name, and removes its
// containers, networks and volumes when the test ends, whatever the
// outcome.
func Up(t testing.TB, c *compose.CLI, p compose.Project) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := c.Down(ctx, p, compose.DownOptions{Volumes: true, RemoveOrphans: true}); err != nil {
			t.Logf("cleanup of project %s: %v", p.Name, err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.Up(ctx, p); err != nil {
		t.Fatalf("compose up of %s: %v", p.Name, err)
	}
}

// FreePorts returns n TCP ports that were free on the loopback a moment
// ago, within [from, to] when from > 0 (else any the system picks).
func FreePorts(t testing.TB, n, from, to int) []int {
	t.Helper()
	var ports []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	if from <= 0 {
		for len(ports) < n {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, l)
			ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		}
		return ports
	}
	// Start at a random place of the range, so concurrent tests rarely
	// race for the same port.
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	span := to - from + 1
	start := int(b[0])<<8 | int(b[1])
	for i := 0; i < span && len(ports) < n; i++ {
		p := from + (start+i)%span
		// A port is free when nothing listens on any address.
		l, err := net.Listen("tcp", ":"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		u, err := net.ListenPacket("udp", ":"+strconv.Itoa(p))
		if err != nil {
			_ = l.Close()
			continue
		}
		_ = u.Close()
		held = append(held, l)
		ports = append(ports, p)
	}
	if len(ports) < n {
		t.Fatalf("only %d of %d free ports in %d-%d", len(ports), n, from, to)
	}
	return ports
}
