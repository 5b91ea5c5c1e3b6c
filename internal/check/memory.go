package check

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// The collector of a command, whose process ends after one evaluation
// (Options.OneShot). At 10,000 services its cycles and assists cost about
// a sixth of the CPU of a run, each cycle marking the whole, growing input;
// the memory it gives back between cycles is never used by anything else.
// So it runs rarely while the document loads, and then, for a large
// document, not until the heap reaches a soft limit scaled to the
// document's size; a small one gets the defaults back and keeps its small
// peak. Measured with make bench's whole-process runs, paired with the
// defaults: 10,000 services -14% CPU and -20% wall time at a peak 3%
// higher; 20,000 and 1,000 services -9% and -12% CPU at a peak 2% higher;
// 200 services no difference. A GOGC or GOMEMLIMIT of the user's wins.
//
// Between the two, a large document gets one collection: what loading
// left (parsed YAML, compose-go's models) is garbage by then and the live
// heap is small (18 MB at 10,000 services, 5 ms), so the evaluation starts
// from an almost empty heap and ends under its limit without the cycle
// that would otherwise mark its 120 MB of live values halfway through.
// Paired with the same binary without it, at 10,000 services: -12% CPU,
// -14% wall time, peak 235 MiB instead of 271.
//
// While loading, a cycle comes when the heap is nine times what the last
// one kept (GOGC 800): the cycles stay few as the heap grows (none after
// the first few MB up to 10,000 services), so their cost grows with the
// document. A fixed soft limit (it was 128 MiB) does not: at 20,000
// services the loading's live heap nears it and five cycles of ~90 MB ran
// back to back. Paired with it: 20,000 services -23% CPU, -20% wall
// time, a peak 2% higher; 10,000 and 1,000 services unchanged.
const (
	loadingGCPercent = 800      // GOGC while the document loads
	largeDocument    = 2000     // services
	limitBase        = 16 << 20 // bytes: the runtime, the plan and its data
	limitPerService  = 24 << 10 // bytes: 1.5x what a service keeps alive to the end
)

// collect runs a collection (a variable for the test).
var collect = runtime.GC

// userTunedGC is whether the environment sets the collector.
func userTunedGC() bool { return os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" }

// gcWhileLoading sets the collector for loading: loadingGCPercent.
func gcWhileLoading() {
	if userTunedGC() {
		return
	}
	debug.SetGCPercent(loadingGCPercent)
}

// gcForDocument sets the collector for the evaluation of a document of
// services services.
func gcForDocument(services int) {
	if userTunedGC() {
		return
	}
	if services < largeDocument {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
		return
	}
	collect()
	debug.SetMemoryLimit(limitBase + int64(services)*limitPerService)
	debug.SetGCPercent(-1)
}
