package vm

import (
	"fmt"
	"math"

	"github.com/open-policy-agent/opa/v1/ir"
)

// Flatten turns a plan with exactly one query into a Program. A statement
// this machine does not execute (with, dynamic calls, object merges of
// partial objects with overlapping rules) is an error here, when the plan is
// generated, never at run time.
func Flatten(p *ir.Policy) (*Program, error) {
	if p.Plans == nil || len(p.Plans.Plans) != 1 {
		return nil, fmt.Errorf("the plan must hold exactly one query")
	}
	f := &flattener{prog: &Program{}, funcs: map[string]int32{}, builtins: map[string]int32{}}
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
	prog     *Program
	code     []Instr
	blocks   []Block
	funcs    map[string]int32
	builtins map[string]int32
	// maxLocal is the highest local of the function being flattened.
	maxLocal int32
}

func (f *flattener) function(name string, params []ir.Local, ret ir.Local, blocks []*ir.Block) (Func, error) {
	f.maxLocal = int32(ir.Data)
	out := Func{Name: name, Return: f.local(ret)}
	for _, p := range params {
		out.Params = append(out.Params, f.local(p))
	}
	for _, b := range blocks {
		id, err := f.block(b)
		if err != nil {
			return Func{}, err
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

func (f *flattener) operand(o ir.Operand) (int32, error) {
	// A plan decoded from JSON holds pointers to the operand values.
	switch v := o.Value.(type) {
	case *ir.Local:
		return f.local(*v), nil
	case *ir.StringIndex:
		return -(int32(*v) + 1), nil
	case *ir.Bool:
		return f.operand(ir.Operand{Value: *v})
	case ir.Local:
		return f.local(v), nil
	case ir.StringIndex:
		return -(int32(v) + 1), nil
	case ir.Bool:
		n := int32(len(f.prog.Strings))
		if !v {
			n++
		}
		return -(n + 1), nil
	}
	return 0, fmt.Errorf("unknown operand %T", o.Value)
}

// block flattens b after the blocks it nests (so a block's statements are
// contiguous) and returns its id.
func (f *flattener) block(b *ir.Block) (int32, error) {
	code := make([]Instr, 0, len(b.Stmts))
	for _, s := range b.Stmts {
		in, err := f.stmt(s)
		if err != nil {
			return 0, err
		}
		code = append(code, in)
	}
	start := int32(len(f.code))
	f.code = append(f.code, code...)
	f.blocks = append(f.blocks, Block{Start: start, End: int32(len(f.code))})
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

func small(v int64) (int32, error) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("integer %d does not fit an instruction", v)
	}
	return int32(v), nil
}

func (f *flattener) stmt(s ir.Stmt) (Instr, error) {
	var err error
	op := func(o ir.Operand) int32 {
		v, e := f.operand(o)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	var in Instr
	switch s := s.(type) {
	case *ir.NopStmt:
		in = Instr{Op: OpNop}
	case *ir.ReturnLocalStmt:
		in = Instr{Op: OpReturnLocal, A: f.local(s.Source)}
	case *ir.CallStmt:
		in = Instr{Op: OpCall, B: int32(len(f.prog.Args)), C: int32(len(s.Args)), D: f.local(s.Result)}
		if id, ok := f.funcs[s.Func]; ok {
			in.A = id
		} else {
			in.A = -(f.builtin(s.Func) + 1)
		}
		for _, a := range s.Args {
			f.prog.Args = append(f.prog.Args, op(a))
		}
	case *ir.BlockStmt:
		ids := make([]int32, 0, len(s.Blocks))
		for _, b := range s.Blocks {
			id, e := f.block(b)
			if e != nil {
				return in, e
			}
			ids = append(ids, id)
		}
		in = Instr{Op: OpBlock, A: int32(len(f.prog.BlockLists)), B: int32(len(ids))}
		f.prog.BlockLists = append(f.prog.BlockLists, ids...)
	case *ir.BreakStmt:
		in = Instr{Op: OpBreak, A: int32(s.Index)}
	case *ir.DotStmt:
		in = Instr{Op: OpDot, A: op(s.Source), B: op(s.Key), D: f.local(s.Target)}
	case *ir.LenStmt:
		in = Instr{Op: OpLen, A: op(s.Source), D: f.local(s.Target)}
	case *ir.ScanStmt:
		id, e := f.block(s.Block)
		if e != nil {
			return in, e
		}
		in = Instr{Op: OpScan, A: f.local(s.Source), B: f.local(s.Key), C: f.local(s.Value), D: id}
	case *ir.NotStmt:
		id, e := f.block(s.Block)
		if e != nil {
			return in, e
		}
		in = Instr{Op: OpNot, D: id}
	case *ir.AssignIntStmt:
		v, e := small(s.Value)
		err = e
		in = Instr{Op: OpAssignInt, A: v, D: f.local(s.Target)}
	case *ir.AssignVarStmt:
		in = Instr{Op: OpAssignVar, A: op(s.Source), D: f.local(s.Target)}
	case *ir.AssignVarOnceStmt:
		in = Instr{Op: OpAssignVarOnce, A: op(s.Source), D: f.local(s.Target)}
	case *ir.ResetLocalStmt:
		in = Instr{Op: OpResetLocal, D: f.local(s.Target)}
	case *ir.MakeNullStmt:
		in = Instr{Op: OpMakeNull, D: f.local(s.Target)}
	case *ir.MakeNumberIntStmt:
		v, e := small(s.Value)
		err = e
		in = Instr{Op: OpMakeNumberInt, A: v, D: f.local(s.Target)}
	case *ir.MakeNumberRefStmt:
		in = Instr{Op: OpMakeNumberRef, A: int32(s.Index), D: f.local(s.Target)}
	case *ir.MakeArrayStmt:
		in = Instr{Op: OpMakeArray, A: s.Capacity, D: f.local(s.Target)}
	case *ir.MakeObjectStmt:
		in = Instr{Op: OpMakeObject, D: f.local(s.Target)}
	case *ir.MakeSetStmt:
		in = Instr{Op: OpMakeSet, D: f.local(s.Target)}
	case *ir.EqualStmt:
		in = Instr{Op: OpEqual, A: op(s.A), B: op(s.B)}
	case *ir.NotEqualStmt:
		in = Instr{Op: OpNotEqual, A: op(s.A), B: op(s.B)}
	case *ir.IsArrayStmt:
		in = Instr{Op: OpIsArray, A: op(s.Source)}
	case *ir.IsObjectStmt:
		in = Instr{Op: OpIsObject, A: op(s.Source)}
	case *ir.IsSetStmt:
		in = Instr{Op: OpIsSet, A: op(s.Source)}
	case *ir.IsDefinedStmt:
		in = Instr{Op: OpIsDefined, A: f.local(s.Source)}
	case *ir.IsUndefinedStmt:
		in = Instr{Op: OpIsUndefined, A: f.local(s.Source)}
	case *ir.ArrayAppendStmt:
		in = Instr{Op: OpArrayAppend, A: op(s.Value), D: f.local(s.Array)}
	case *ir.ObjectInsertStmt:
		in = Instr{Op: OpObjectInsert, A: op(s.Key), B: op(s.Value), D: f.local(s.Object)}
	case *ir.ObjectInsertOnceStmt:
		in = Instr{Op: OpObjectInsertOnce, A: op(s.Key), B: op(s.Value), D: f.local(s.Object)}
	case *ir.SetAddStmt:
		in = Instr{Op: OpSetAdd, A: op(s.Value), D: f.local(s.Set)}
	case *ir.ResultSetAddStmt:
		in = Instr{Op: OpResultSetAdd, A: f.local(s.Value)}
	default:
		return in, fmt.Errorf("statement %T is not supported", s)
	}
	return in, err
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
