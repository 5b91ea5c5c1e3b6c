package mcp

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestPanicIsToolError: a tool that panics answers with a tool error, the
// stack goes to the log, and the server goes on serving.
func TestPanicIsToolError(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	srv, err := New(ctx, Options{Version: "test", Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	type none struct{}
	addTool(&Server{log: newLogger(&log)}, srv, &sdk.Tool{Name: "explode", Description: "panics"}, func(context.Context, *sdk.CallToolRequest, none) (*sdk.CallToolResult, none, error) {
		var m map[string]int
		m["x"]++ // a nil map: panics
		return nil, none{}, nil
	})
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "explode", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Content[0].(*sdk.TextContent).Text
	if !res.IsError || !strings.Contains(text, "explode failed: internal error: assignment to entry in nil map") {
		t.Errorf("error %v, %q", res.IsError, text)
	}
	if !strings.Contains(log.String(), "goroutine") || !strings.Contains(log.String(), "tool=explode") {
		t.Errorf("the log has no stack:\n%s", log.String())
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "explain_rule", Arguments: map[string]any{"id": "DBP101"}})
	if err != nil || res.IsError {
		t.Errorf("after the panic: %v, %+v", err, res)
	}
}

// TestDrainWaitsForChanges: when the client goes away, Serve waits for a
// backup or a migration under way, and lets no new one begin.
func TestDrainWaitsForChanges(t *testing.T) {
	var s Server
	if !s.begin() {
		t.Fatal("a change cannot begin on a serving server")
	}
	done := make(chan struct{})
	go func() {
		s.drain()
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("drain returned while a change was under way")
	case <-time.After(200 * time.Millisecond):
	}
	s.busy.Done()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("drain did not return once the change ended")
	}
	if s.begin() {
		t.Error("a change began after drain")
	}
}
