package plangen

import (
	"fmt"
	"math"

	"github.com/open-policy-agent/opa/v1/ir"

	"github.com/portguard/portguard/internal/vm"
)

// Flatten turns a plan with exactly one query into a Program. A statement
// the machine does not execute (with, dynamic calls, object merges of
// partial objects with overlapping rules) is an error here, when the plan is
// generated, never at run time.
func Flatten(p *ir.Policy) (*vm.Program, error) {
	if p.Plans == nil || len(p.Plans.Plans) != 1 {
		return nil, fmt.Errorf("the plan must hold exactly one query")
	}
	f := &flattener{prog: &vm.Program{}, funcs: map[string]int32{}, builtins: map[string]int32{}}
	defer f.encode()
	if p.Static != nil {
		for _, s := range p.Static.Strings {
			f.prog.Strings = append(f.prog.Strings, s.Value)
		}
	}
	var funcs []*ir.Func
	if p.Funcs != nil {
		funcs = p.Funcs.Funcs
	}
	for i, fn := range funcs {
		f.funcs[fn.Name] = int32(i)
	}
	for _, fn := range funcs {
		out, err := f.function(fn.Name, fn.Params, fn.Return, fn.Blocks)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name, err)
		}
		f.prog.Funcs = append(f.prog.Funcs, out)
	}
	plan := p.Plans.Plans[0]
	out, err := f.function(plan.Name, []ir.Local{ir.Input, ir.Data}, ir.Unused, plan.Blocks)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", plan.Name, err)
	}
	f.prog.Plan = out
	return f.prog, nil
}

type flattener struct {
	prog     *vm.Program
	code     []vm.Instr
	blocks   []vm.Block
	funcs    map[string]int32
	builtins map[string]int32
	// maxLocal is the highest local of the function being flattened.
	maxLocal int32
	// err is the first error of an operand or an integer of the statement
	// being flattened.
	err error
}

func (f *flattener) function(name string, params []ir.Local, ret ir.Local, blocks []*ir.Block) (vm.Func, error) {
	f.maxLocal = int32(ir.Data)
	out := vm.Func{Name: name, Return: f.local(ret)}
	for _, p := range params {
		out.Params = append(out.Params, f.local(p))
	}
	for _, b := range blocks {
		id, err := f.block(b)
		if err != nil {
			return vm.Func{}, err
		}
		out.Blocks = append(out.Blocks, id)
	}
	out.Locals = f.maxLocal + 1
	return out, nil
}

func (f *flattener) local(l ir.Local) int32 {
	v := int32(l)
	if v > f.maxLocal {
		f.maxLocal = v
	}
	return v
}

// op encodes an operand (see vm.Instr); an unknown one is recorded in f.err.
func (f *flattener) op(o ir.Operand) int32 {
	// A plan decoded from JSON holds pointers to the operand values.
	switch v := o.Value.(type) {
	case *ir.Local:
		return f.local(*v)
	case *ir.StringIndex:
		return -(int32(*v) + 1)
	case *ir.Bool:
		return f.op(ir.Operand{Value: *v})
	case ir.Local:
		return f.local(v)
	case ir.StringIndex:
		return -(int32(v) + 1)
	case ir.Bool:
		n := int32(len(f.prog.Strings))
		if !v {
			n++
		}
		return -(n + 1)
	}
	f.fail(fmt.Errorf("unknown operand %T", o.Value))
	return 0
}

// small is an integer of an instruction; one too large is recorded in f.err.
func (f *flattener) small(v int64) int32 {
	if v < math.MinInt32 || v > math.MaxInt32 {
		f.fail(fmt.Errorf("integer %d does not fit an instruction", v))
		return 0
	}
	return int32(v)
}

func (f *flattener) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// block flattens b after the blocks it nests (so a block's statements are
// contiguous) and returns its id.
func (f *flattener) block(b *ir.Block) (int32, error) {
	code := make([]vm.Instr, 0, len(b.Stmts))
	for _, s := range b.Stmts {
		in, err := f.stmt(s)
		if err != nil {
			return 0, err
		}
		code = append(code, in)
	}
	start := int32(len(f.code))
	f.code = append(f.code, code...)
	f.blocks = append(f.blocks, vm.Block{Start: start, End: int32(len(f.code))})
	return int32(len(f.blocks) - 1), nil
}

// encode writes the instructions and blocks as words.
func (f *flattener) encode() {
	f.prog.Code = make([]int32, 0, 5*len(f.code))
	for _, in := range f.code {
		f.prog.Code = append(f.prog.Code, int32(in.Op), in.A, in.B, in.C, in.D)
	}
	f.prog.Blocks = make([]int32, 0, 2*len(f.blocks))
	for _, b := range f.blocks {
		f.prog.Blocks = append(f.prog.Blocks, b.Start, b.End)
	}
}

// stmt flattens one statement: one that nests blocks or calls (control),
// or one that computes, tests or builds a value.
func (f *flattener) stmt(s ir.Stmt) (vm.Instr, error) {
	f.err = nil
	in, ok, err := f.control(s)
	if !ok {
		in, ok = f.value(s)
	}
	if !ok {
		ok = f.build(s, &in)
	}
	if !ok {
		return in, fmt.Errorf("statement %T is not supported", s)
	}
	if err == nil {
		err = f.err
	}
	return in, err
}

// control flattens the statements that call, nest blocks or leave them.
func (f *flattener) control(s ir.Stmt) (vm.Instr, bool, error) {
	var err error
	var in vm.Instr
	switch s := s.(type) {
	case *ir.NopStmt:
		in = vm.Instr{Op: vm.OpNop}
	case *ir.ReturnLocalStmt:
		in = vm.Instr{Op: vm.OpReturnLocal, A: f.local(s.Source)}
	case *ir.CallStmt:
		in = f.call(s)
	case *ir.BlockStmt:
		ids := make([]int32, 0, len(s.Blocks))
		for _, b := range s.Blocks {
			id, e := f.block(b)
			err = firstErr(err, e)
			ids = append(ids, id)
		}
		in = vm.Instr{Op: vm.OpBlock, A: int32(len(f.prog.BlockLists)), B: int32(len(ids))}
		f.prog.BlockLists = append(f.prog.BlockLists, ids...)
	case *ir.BreakStmt:
		in = vm.Instr{Op: vm.OpBreak, A: int32(s.Index)}
	case *ir.ScanStmt:
		id, e := f.block(s.Block)
		in, err = vm.Instr{Op: vm.OpScan, A: f.local(s.Source), B: f.local(s.Key), C: f.local(s.Value), D: id}, e
	case *ir.NotStmt:
		id, e := f.block(s.Block)
		in, err = vm.Instr{Op: vm.OpNot, D: id}, e
	default:
		return in, false, nil
	}
	return in, true, err
}

// firstErr is the first of two errors that is not nil.
func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (f *flattener) call(s *ir.CallStmt) vm.Instr {
	in := vm.Instr{Op: vm.OpCall, B: int32(len(f.prog.Args)), C: int32(len(s.Args)), D: f.local(s.Result)}
	if id, ok := f.funcs[s.Func]; ok {
		in.A = id
	} else {
		in.A = -(f.builtin(s.Func) + 1)
	}
	for _, a := range s.Args {
		f.prog.Args = append(f.prog.Args, f.op(a))
	}
	return in
}

// value flattens the statements that compute, assign or test a value.
func (f *flattener) value(s ir.Stmt) (vm.Instr, bool) {
	switch s := s.(type) {
	case *ir.DotStmt:
		return vm.Instr{Op: vm.OpDot, A: f.op(s.Source), B: f.op(s.Key), D: f.local(s.Target)}, true
	case *ir.LenStmt:
		return vm.Instr{Op: vm.OpLen, A: f.op(s.Source), D: f.local(s.Target)}, true
	case *ir.AssignIntStmt:
		return vm.Instr{Op: vm.OpAssignInt, A: f.small(s.Value), D: f.local(s.Target)}, true
	case *ir.AssignVarStmt:
		return vm.Instr{Op: vm.OpAssignVar, A: f.op(s.Source), D: f.local(s.Target)}, true
	case *ir.AssignVarOnceStmt:
		return vm.Instr{Op: vm.OpAssignVarOnce, A: f.op(s.Source), D: f.local(s.Target)}, true
	case *ir.ResetLocalStmt:
		return vm.Instr{Op: vm.OpResetLocal, D: f.local(s.Target)}, true
	case *ir.EqualStmt:
		return vm.Instr{Op: vm.OpEqual, A: f.op(s.A), B: f.op(s.B)}, true
	case *ir.NotEqualStmt:
		return vm.Instr{Op: vm.OpNotEqual, A: f.op(s.A), B: f.op(s.B)}, true
	case *ir.IsArrayStmt:
		return vm.Instr{Op: vm.OpIsArray, A: f.op(s.Source)}, true
	case *ir.IsObjectStmt:
		return vm.Instr{Op: vm.OpIsObject, A: f.op(s.Source)}, true
	case *ir.IsSetStmt:
		return vm.Instr{Op: vm.OpIsSet, A: f.op(s.Source)}, true
	case *ir.IsDefinedStmt:
		return vm.Instr{Op: vm.OpIsDefined, A: f.local(s.Source)}, true
	case *ir.IsUndefinedStmt:
		return vm.Instr{Op: vm.OpIsUndefined, A: f.local(s.Source)}, true
	}
	return vm.Instr{}, false
}

// build flattens the statements that make a value or add to one.
func (f *flattener) build(s ir.Stmt, in *vm.Instr) bool {
	switch s := s.(type) {
	case *ir.MakeNullStmt:
		*in = vm.Instr{Op: vm.OpMakeNull, D: f.local(s.Target)}
	case *ir.MakeNumberIntStmt:
		*in = vm.Instr{Op: vm.OpMakeNumberInt, A: f.small(s.Value), D: f.local(s.Target)}
	case *ir.MakeNumberRefStmt:
		*in = vm.Instr{Op: vm.OpMakeNumberRef, A: int32(s.Index), D: f.local(s.Target)}
	case *ir.MakeArrayStmt:
		*in = vm.Instr{Op: vm.OpMakeArray, A: s.Capacity, D: f.local(s.Target)}
	case *ir.MakeObjectStmt:
		*in = vm.Instr{Op: vm.OpMakeObject, D: f.local(s.Target)}
	case *ir.MakeSetStmt:
		*in = vm.Instr{Op: vm.OpMakeSet, D: f.local(s.Target)}
	case *ir.ArrayAppendStmt:
		*in = vm.Instr{Op: vm.OpArrayAppend, A: f.op(s.Value), D: f.local(s.Array)}
	case *ir.ObjectInsertStmt:
		*in = vm.Instr{Op: vm.OpObjectInsert, A: f.op(s.Key), B: f.op(s.Value), D: f.local(s.Object)}
	case *ir.ObjectInsertOnceStmt:
		*in = vm.Instr{Op: vm.OpObjectInsertOnce, A: f.op(s.Key), B: f.op(s.Value), D: f.local(s.Object)}
	case *ir.SetAddStmt:
		*in = vm.Instr{Op: vm.OpSetAdd, A: f.op(s.Value), D: f.local(s.Set)}
	case *ir.ResultSetAddStmt:
		*in = vm.Instr{Op: vm.OpResultSetAdd, A: f.local(s.Value)}
	default:
		return false
	}
	return true
}

func (f *flattener) builtin(name string) int32 {
	if id, ok := f.builtins[name]; ok {
		return id
	}
	id := int32(len(f.prog.Builtins))
	f.prog.Builtins = append(f.prog.Builtins, name)
	f.builtins[name] = id
	return id
}
