package check

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestGCForDocument: a large document gets one collection and then turns
// the collector off under a limit scaled to its size, a small one gets
// the defaults back, and a GOGC or GOMEMLIMIT of the user's is left alone.
func TestGCForDocument(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	cases := []struct {
		name      string
		services  int // -1: while loading
		wantGC    int
		wantLimit int64
		userGOGC  string
		collects  bool
	}{
		{"loading", -1, loadingGCPercent, math.MaxInt64, "", false},
		{"large", 10000, -1, 16<<20 + 10000*24<<10, "", true},
		{"small", 200, 100, math.MaxInt64, "", false},
		{"user's GOGC", 10000, 50, math.MaxInt64, "50", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOGC", c.userGOGC)
			t.Setenv("GOMEMLIMIT", "")
			debug.SetGCPercent(50)
			debug.SetMemoryLimit(math.MaxInt64)
			collected := false
			collect = func() { collected = true }
			defer func() { collect = runtime.GC }()
			if c.services < 0 {
				gcWhileLoading()
			} else {
				gcForDocument(c.services)
			}
			if collected != c.collects {
				t.Errorf("collected: %v, want %v", collected, c.collects)
			}
			if got := debug.SetGCPercent(50); got != c.wantGC {
				t.Errorf("GOGC %d, want %d", got, c.wantGC)
			}
			if got := debug.SetMemoryLimit(-1); got != c.wantLimit {
				t.Errorf("memory limit %d, want %d", got, c.wantLimit)
			}
		})
	}
}
