package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/portguard/portguard/internal/benchgen"
)

// BenchmarkWrite prints the findings of a generated repository with many
// violations in every format.
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	if _, err := benchgen.Generate(dir, benchgen.Spec{Files: 100, Services: 5000, Violate: 0.2}); err != nil {
		b.Fatal(err)
	}
	r, err := runPipeline(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range Names() {
		w, err := New(name, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/findings=%d", name, len(r.Findings)), func(b *testing.B) {
			for b.Loop() {
				if err := w.Write(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
