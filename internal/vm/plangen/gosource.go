package plangen

import (
	"bytes"
	"fmt"
	"go/format"
	"strconv"

	"github.com/portguard/portguard/internal/vm"
)

// GoSource renders p as a Go file of package pkg that declares
// `var <name> = &vm.Program{...}` with the doc comment doc, plus the extra
// declarations given (already Go source). The program is plain constant
// data, laid out by the linker: loading it costs nothing at run time.
func GoSource(p *vm.Program, header, pkg, doc, name, extra string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\npackage %s\n\nimport \"github.com/portguard/portguard/internal/vm\"\n\n", header, pkg)
	b.WriteString(GoVar(p, doc, name))
	if extra != "" {
		b.WriteString("\n" + extra + "\n")
	}
	return format.Source(b.Bytes())
}

// GoVar renders one program as the Go declaration `var name = &vm.Program{...}`
// under its doc comment, for a file that holds several.
func GoVar(p *vm.Program, doc, name string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nvar %s = &vm.Program{\n", doc, name)
	strs := func(field string, ss []string) {
		fmt.Fprintf(&b, "%s: []string{\n", field)
		for _, s := range ss {
			fmt.Fprintf(&b, "%s,\n", strconv.Quote(s))
		}
		b.WriteString("},\n")
	}
	ints := func(field string, vs []int32) {
		fmt.Fprintf(&b, "%s: []int32{", field)
		for i, v := range vs {
			if i%20 == 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%d, ", v)
		}
		b.WriteString("\n},\n")
	}
	strs("Strings", p.Strings)
	strs("Builtins", p.Builtins)
	ints("Code", p.Code)
	ints("Blocks", p.Blocks)
	ints("BlockLists", p.BlockLists)
	ints("Args", p.Args)
	b.WriteString("Funcs: []vm.Func{\n")
	for _, f := range p.Funcs {
		writeFunc(&b, f)
		b.WriteString(",\n")
	}
	b.WriteString("},\nPlan: vm.Func")
	writeFunc(&b, p.Plan)
	b.WriteString(",\n}\n")
	return b.String()
}

func writeFunc(b *bytes.Buffer, f vm.Func) {
	list := func(vs []int32) string {
		var s bytes.Buffer
		s.WriteString("[]int32{")
		for i, v := range vs {
			if i > 0 {
				s.WriteString(", ")
			}
			s.WriteString(strconv.Itoa(int(v)))
		}
		s.WriteString("}")
		return s.String()
	}
	fmt.Fprintf(b, "{Name: %s, Params: %s, Return: %d, Blocks: %s, Locals: %d}",
		strconv.Quote(f.Name), list(f.Params), f.Return, list(f.Blocks), f.Locals)
}
