//go:build unix

package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/sys/unix"

	"github.com/portguard/portguard/internal/engine"
)

// strayServerEnv makes the test binary, started again by
// TestMCPStdoutCarriesProtocolOnly, serve `portguard mcp` on its own stdin
// and stdout.
const strayServerEnv = "PORTGUARD_TEST_MCP_STRAY_SERVER"

// The stray lines: what code running inside the server writes to stdout,
// through os.Stdout and through file descriptor 1 itself (as a library or
// a child process that inherits it would).
const (
	strayGo = "stray line through os.Stdout"
	strayFD = "stray line through file descriptor 1"
)

// TestMCPStdoutCarriesProtocolOnly: portguard mcp serves the protocol on a
// copy of stdout and points stdout at stderr, so whatever else writes to
// stdout while it serves (here the policy engine's constructor, called at
// start and by each check) lands on stderr and cannot corrupt the
// protocol. The server runs in a child process, as a client starts it.
func TestMCPStdoutCarriesProtocolOnly(t *testing.T) {
	if os.Getenv(strayServerEnv) == "1" {
		serveWithStrayWrites()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMCPStdoutCarriesProtocolOnly$")
	cmd.Env = append(os.Environ(), strayServerEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Everything the server writes to stdout is kept, as the client reads it.
	var mu sync.Mutex
	var wire bytes.Buffer
	client := sdk.NewClient(&sdk.Implementation{Name: "stdout-test", Version: "v0"}, nil)
	session, err := client.Connect(ctx, &sdk.IOTransport{
		Reader: io.NopCloser(io.TeeReader(stdout, lockedWriter{&mu, &wire})),
		Writer: stdin,
	}, nil)
	if err != nil {
		t.Fatalf("connecting: %v\nstderr:\n%s", err, stderr.String())
	}
	fixture := filepath.Join("..", "..", "testdata", "e2e", "hardcoded-port")
	res, err := session.CallTool(ctx, &sdk.CallToolParams{Name: "check", Arguments: map[string]any{"path": fixture}})
	if err != nil || res.IsError {
		t.Fatalf("check: %v %+v\nstderr:\n%s", err, res, stderr.String())
	}
	if err := session.Close(); err != nil {
		t.Errorf("closing: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the server: %v\nstderr:\n%s", err, stderr.String())
	}

	mu.Lock()
	defer mu.Unlock()
	sc := bufio.NewScanner(&wire)
	sc.Buffer(nil, 16<<20)
	messages := 0
	for sc.Scan() {
		var msg struct {
			JSONRPC string `json:"jsonrpc"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil || msg.JSONRPC != "2.0" {
			t.Errorf("stdout carries a line that is not a JSON-RPC message: %q", sc.Text())
			continue
		}
		messages++
	}
	if messages < 2 {
		t.Errorf("stdout carried %d messages", messages)
	}
	// The writes happened, at start and during the call: on stderr.
	for _, line := range []string{strayGo, strayFD} {
		if n := strings.Count(stderr.String(), line); n < 2 {
			t.Errorf("stderr has %q %d times, want at least 2 (at start and during check):\n%s", line, n, stderr.String())
		}
	}
}

// serveWithStrayWrites runs `portguard mcp` on the process's stdin and
// stdout, with a policy engine constructor that writes to stdout, and
// exits when the client closes the session.
func serveWithStrayWrites() {
	f := NewFactory()
	newEngine := f.NewEngine
	f.NewEngine = func(o engine.Options) (*engine.Engine, error) {
		fmt.Fprintln(os.Stdout, strayGo)
		_, _ = unix.Write(1, []byte(strayFD+"\n"))
		return newEngine(o)
	}
	cmd := NewCmdMCP(f, nil)
	cmd.SetArgs([]string{})
	code := 0
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
