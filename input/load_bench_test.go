package input

import (
	"fmt"
	"testing"

	"github.com/portguard/portguard/internal/benchgen"
)

// BenchmarkLoad builds the document of generated repositories of growing
// size: discovery, YAML walk, compose-go, .env and table.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{200, 1000, 10000} {
		dir := b.TempDir()
		if _, err := benchgen.Generate(dir, benchgen.Spec{Files: max(1, n/50), Services: n, Violate: 0.02}); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				doc, err := Load(Options{Root: dir})
				if err != nil || len(doc.Services) != n {
					b.Fatalf("%v, %d services", err, len(doc.Services))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/service")
		})
	}
}
