package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/benchgen"
)

// BenchmarkEval evaluates every rule over generated repositories of
// growing size; ns/op per service stays flat when the rules are linear.
//
//	go test ./internal/engine -run - -bench Eval -benchtime 3x
func BenchmarkEval(b *testing.B) {
	eng, _ := evaluators(b)
	benchEval(b, eng, 100, 1000, 10000)
}

// benchEval evaluates with eng a generated repository of each size.
func benchEval(b *testing.B, eng *Engine, sizes ...int) {
	for _, n := range sizes {
		dir := b.TempDir()
		if _, err := benchgen.Generate(dir, benchgen.Spec{Files: max(1, n/50), Services: n, Violate: 0.02}); err != nil {
			b.Fatal(err)
		}
		doc, err := input.Load(input.Options{Root: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := eng.Eval(context.Background(), doc); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/service")
		})
	}
}

// BenchmarkCompile measures compiling the embedded policies with OPA, the
// fixed cost of a run with --policy or --data (the built-in policies alone
// run from their plan and compile nothing).
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := compile(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalTopdown evaluates with OPA's topdown evaluator, the path of
// a run with --policy or --data, for comparison with BenchmarkEval.
func BenchmarkEvalTopdown(b *testing.B) {
	_, eng := evaluators(b)
	benchEval(b, eng, 100, 1000)
}

// BenchmarkConvert converts a loaded document to the values each
// evaluator reads: OPA's (topdown) and the executor's own (the plan).
func BenchmarkConvert(b *testing.B) {
	dir := b.TempDir()
	if _, err := benchgen.Generate(dir, benchgen.Spec{Files: 200, Services: 10000, Violate: 0.02}); err != nil {
		b.Fatal(err)
	}
	doc, err := input.Load(input.Options{Root: dir})
	if err != nil {
		b.Fatal(err)
	}
	for name, convert := range map[string]func(any) (ast.Value, error){"opa": toValue, "native": toNative} {
		b.Run(name+"/services=10000", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := convert(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
