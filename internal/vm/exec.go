package vm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
)

// Block results besides a break count (>= 0: leave this block and that many
// enclosing ones).
const (
	fallThrough = -1 // the block ran to its end
	returned    = -2 // a function returned; unwind to the call
)

// cancelEvery is how many loop iterations pass between two looks at the
// context: often enough for a deadline, rare enough to cost nothing. The
// first iteration of an evaluation looks too, so an ended context stops
// one that would not run cancelEvery iterations (a small repository, a
// worker that computes few rules).
const cancelEvery = 1 << 12

// Machine is a program ready to run. It is immutable: evaluations may run
// at the same time.
type Machine struct {
	prog *Program
	// roots are the functions that workers compute before the query.
	roots  []int32
	code   []Instr
	blocks []Block
	// consts are the operand constants: the strings, then true and false.
	consts []*ast.Term
	// numbers[i] is string i read as a number literal (MakeNumberRef), nil
	// when it is not one.
	numbers  []*ast.Term
	builtins []topdown.BuiltinFunc
	// natives[i] is builtins[i] on the executor's own values (native.go),
	// nil when it has no such form.
	natives []nativeBuiltin
}

// New prepares a program. Every built-in function it calls must exist in
// this build of OPA.
func New(p *Program) (*Machine, error) {
	m := &Machine{prog: p, consts: make([]*ast.Term, 0, len(p.Strings)+2), numbers: make([]*ast.Term, len(p.Strings))}
	for _, s := range p.Strings {
		m.consts = append(m.consts, ast.StringTerm(s))
	}
	m.consts = append(m.consts, ast.BooleanTerm(true), ast.BooleanTerm(false))
	if len(p.Code)%5 != 0 || len(p.Blocks)%2 != 0 {
		return nil, fmt.Errorf("truncated program")
	}
	m.code = make([]Instr, len(p.Code)/5)
	for i := range m.code {
		w := p.Code[5*i : 5*i+5]
		m.code[i] = Instr{Op: Op(w[0]), A: w[1], B: w[2], C: w[3], D: w[4]}
	}
	m.blocks = make([]Block, len(p.Blocks)/2)
	for i := range m.blocks {
		m.blocks[i] = Block{Start: p.Blocks[2*i], End: p.Blocks[2*i+1]}
	}
	for _, in := range m.code {
		if in.Op != OpMakeNumberRef {
			continue
		}
		if in.A < 0 || int(in.A) >= len(p.Strings) {
			return nil, fmt.Errorf("number literal %d out of range", in.A)
		}
		if m.numbers[in.A] == nil {
			t, err := ast.ParseTerm(p.Strings[in.A])
			if err != nil {
				return nil, fmt.Errorf("number literal %q: %w", p.Strings[in.A], err)
			}
			if _, ok := t.Value.(ast.Number); !ok {
				return nil, fmt.Errorf("number literal %q is not a number", p.Strings[in.A])
			}
			m.numbers[in.A] = t
		}
	}
	for _, name := range p.Builtins {
		f := topdown.GetBuiltin(name)
		if f == nil {
			return nil, fmt.Errorf("the plan calls %s, which this build does not have", name)
		}
		m.builtins = append(m.builtins, f)
		m.natives = append(m.natives, nativeBuiltins[name])
	}
	return m, nil
}

// Eval runs the query over input and data and returns its result set.
//
// With roots (see SetRoots) and more than one worker, the root functions
// are computed first by that many goroutines sharing the memo: rules are
// pure and their dependencies form a graph without cycles, so a worker that
// needs a rule another one is computing waits for it, and the query then
// finds every root computed. The values are the same as in one goroutine.
func (m *Machine) Eval(ctx context.Context, input, data ast.Value, workers int) (results []*ast.Term, err error) {
	results, _, err = m.EvalSteps(ctx, input, data, workers)
	return results, err
}

// EvalSteps is Eval, and counts the loop iterations it ran: a measure of
// the work that does not depend on the machine's speed (a test keeps it
// linear in the size of the input).
func (m *Machine) EvalSteps(ctx context.Context, input, data ast.Value, workers int) (results []*ast.Term, steps int64, err error) {
	sh := &shared{m: m, memo: make([]atomic.Pointer[memoEntry], len(m.prog.Funcs))}
	in, d := ast.NewTerm(input), ast.NewTerm(data)
	if workers > 1 && len(m.roots) > 1 {
		p := &pool{sh: sh, ctx: ctx, input: in, data: d, cores: make(chan struct{}, workers)}
		for range min(workers, len(m.roots)) {
			p.spawn()
		}
		p.wg.Wait()
	}
	e := sh.newEval(ctx, in, d)
	_, err = e.run(&m.prog.Plan, nil, nil, in, d)
	sh.steps.Add(int64(e.steps))
	if err != nil {
		return nil, sh.steps.Load(), err
	}
	return e.results, sh.steps.Load(), nil
}

// pool runs the roots on as many goroutines as there are cores. A worker
// that must wait for a rule another one is computing gives its core to a
// new worker, which takes the next root, and takes a core again when the
// rule is ready; between two roots a worker lets a waiting one go first,
// since what it computes may be what the others wait for.
type pool struct {
	sh          *shared
	ctx         context.Context
	input, data *ast.Term
	next        atomic.Int64
	// cores holds a token per running worker.
	cores chan struct{}
	wg    sync.WaitGroup
}

func (p *pool) spawn() {
	p.wg.Add(1)
	go p.work()
}

func (p *pool) work() {
	defer p.wg.Done()
	p.cores <- struct{}{}
	defer func() { <-p.cores }()
	e := p.sh.newEval(p.ctx, p.input, p.data)
	e.pool = p
	defer func() { p.sh.steps.Add(int64(e.steps)) }()
	roots := p.sh.m.roots
	for {
		i := int(p.next.Add(1)) - 1
		if i >= len(roots) {
			return
		}
		if _, err := e.call(roots[i], e.inputs, rootArgs); err != nil {
			return // the query meets the error again
		}
		<-p.cores
		p.cores <- struct{}{}
	}
}

// wait blocks until ent is ready, lending the core meanwhile.
func (p *pool) wait(ent *memoEntry) {
	<-p.cores
	if p.next.Load() < int64(len(p.sh.m.roots)) {
		p.spawn()
	}
	<-ent.done
	p.cores <- struct{}{}
}

// rootArgs are the operands of a call to a rule: input and data, locals 0
// and 1 of the frame e.inputs.
var rootArgs = []int32{0, 1}

// SetRoots names the functions to compute in parallel before the query:
// rules without arguments (of input and data alone), typically one per
// policy. Call it before the machine evaluates anything.
func (m *Machine) SetRoots(keep func(name string) bool) {
	m.roots = nil
	for i, fn := range m.prog.Funcs {
		if len(fn.Params) == 2 && keep(fn.Name) {
			m.roots = append(m.roots, int32(i))
		}
	}
}

// shared is the state of one evaluation that every worker sees: the values
// of the rules without arguments.
type shared struct {
	m    *Machine
	memo []atomic.Pointer[memoEntry]
	// steps counts the loop iterations of every worker.
	steps atomic.Int64
}

// memoEntry is the value of a rule, ready when done is closed.
type memoEntry struct {
	done chan struct{}
	v    *ast.Term
	err  error
}

func (sh *shared) newEval(ctx context.Context, input, data *ast.Term) *eval {
	e := &eval{
		m:      sh.m,
		sh:     sh,
		ctx:    ctx,
		bctx:   topdown.BuiltinContext{Context: ctx, Cache: builtins.Cache{}},
		inputs: []*ast.Term{input, data},
	}
	e.collect = func(t *ast.Term) error {
		e.out = t
		return nil
	}
	return e
}

type eval struct {
	m  *Machine
	sh *shared
	// pool is the pool of the worker running this evaluation, nil for the
	// query.
	pool  *pool
	ctx   context.Context
	stack []*ast.Term
	// inputs is a frame holding input and data, to call rules from outside
	// a function.
	inputs  []*ast.Term
	results []*ast.Term
	ret     *ast.Term
	bctx    topdown.BuiltinContext
	// operands, out and collect call built-in functions without allocating.
	operands []*ast.Term
	out      *ast.Term
	collect  func(*ast.Term) error
	// ints are the terms of 0, 1, 2, ... (index), a view of intTerms.
	ints []*ast.Term
	// scanners are the loop states, one per depth of nested scans.
	scanners []*scanner
	depth    int
	// fn is the function running, for error messages.
	fn    *Func
	steps int
	// staleList holds the objects whose hash lags behind a value changed
	// in place, in the order they went stale (inner objects before the
	// objects holding them); staleSet is the same, to add each once.
	staleList []ast.Object
	staleSet  map[ast.Object]struct{}
}

func (e *eval) stale(obj ast.Object) {
	if _, ok := e.staleSet[obj]; ok {
		return
	}
	if e.staleSet == nil {
		e.staleSet = map[ast.Object]struct{}{}
	}
	e.staleSet[obj] = struct{}{}
	e.staleList = append(e.staleList, obj)
}

// settle rehashes the objects that went stale since mark.
func (e *eval) settle(mark int) {
	for _, obj := range e.staleList[mark:] {
		delete(e.staleSet, obj)
		rehash(obj)
	}
	e.staleList = e.staleList[:mark]
}

// EvalError is a failure of the evaluation: a conflict between values of a
// complete rule or of an object key, a halting built-in, a cancellation.
type EvalError struct {
	// Rule is the planned function that failed (g0.data.<path>).
	Rule string
	Msg  string
	Err  error
}

func (e *EvalError) Error() string {
	if e.Rule == "" {
		return e.Msg
	}
	return e.Rule + ": " + e.Msg
}

func (e *EvalError) Unwrap() error { return e.Err }

func (e *eval) fail(msg string, err error) error {
	return &EvalError{Rule: e.fn.Name, Msg: msg, Err: err}
}

// frame gives n cleared locals on the stack; the caller restores e.stack to
// its value before the call to free them.
func (e *eval) frame(n int) []*ast.Term {
	if len(e.stack)+n > cap(e.stack) {
		e.stack = make([]*ast.Term, 0, max(1024, 2*n))
	}
	l := len(e.stack)
	e.stack = e.stack[:l+n]
	fr := e.stack[l : l+n : l+n]
	clear(fr)
	return fr
}

// run executes a function (or the query) whose arguments are the operands
// args of the caller's frame (nil for the query, which takes input and
// data) and gives its value, nil when undefined.
func (e *eval) run(fn *Func, caller []*ast.Term, args []int32, input, data *ast.Term) (*ast.Term, error) {
	mark, callerFn, stale := e.stack, e.fn, len(e.staleList)
	e.fn = fn
	loc := e.frame(int(fn.Locals))
	if args == nil {
		loc[fn.Params[0]], loc[fn.Params[1]] = input, data
	} else {
		for i, p := range fn.Params {
			if loc[p] = e.get(caller, args[i]); loc[p] == nil {
				e.stack, e.fn = mark, callerFn
				return nil, nil
			}
		}
	}
	v, err := e.body(fn, loc)
	e.settle(stale)
	e.stack, e.fn = mark, callerFn
	return v, err
}

func (e *eval) body(fn *Func, loc []*ast.Term) (*ast.Term, error) {
	for _, b := range fn.Blocks {
		r, err := e.block(loc, b)
		if err != nil {
			return nil, err
		}
		if r == returned {
			return e.ret, nil
		}
	}
	return loc[fn.Return], nil
}

// call runs function id on the operands args of frame loc. A function of
// input and data alone is a rule without arguments: its value is computed
// once per evaluation.
func (e *eval) call(id int32, loc []*ast.Term, args []int32) (*ast.Term, error) {
	fn := &e.m.prog.Funcs[id]
	if len(fn.Params) != 2 {
		return e.run(fn, loc, args, nil, nil)
	}
	slot := &e.sh.memo[id]
	ent := slot.Load()
	if ent == nil {
		mine := &memoEntry{done: make(chan struct{})}
		if slot.CompareAndSwap(nil, mine) {
			mine.v, mine.err = e.run(fn, loc, args, nil, nil)
			close(mine.done)
			return mine.v, mine.err
		}
		ent = slot.Load()
	}
	select {
	case <-ent.done:
	default:
		if e.pool != nil {
			e.pool.wait(ent)
		}
		<-ent.done
	}
	return ent.v, ent.err
}

func (e *eval) builtin(id int32, loc []*ast.Term, args []int32) (*ast.Term, error) {
	// The operand slice is reused: built-in functions keep the terms they
	// return, never the slice.
	ops, natives := e.operands[:0], false
	for _, a := range args {
		t := e.get(loc, a)
		if t == nil {
			return nil, nil
		}
		natives = natives || native(t)
		ops = append(ops, t)
	}
	e.operands = ops
	if natives {
		if f := e.m.natives[id]; f != nil {
			if v, ok := f(e, ops); ok {
				clear(ops)
				return v, nil
			}
		}
		for i, t := range ops {
			ops[i] = Plain(t)
		}
	}
	e.out = nil
	err := e.m.builtins[id](e.bctx, ops, e.collect)
	clear(ops)
	if err != nil {
		var halt topdown.Halt
		if errors.As(err, &halt) {
			return nil, e.fail(e.m.prog.Builtins[id]+": "+halt.Error(), err)
		}
		// Like topdown without strict built-in errors: the call is
		// undefined (to_number("x"), sprintf with a wrong argument).
		return nil, nil
	}
	return e.out, nil
}

func (e *eval) get(loc []*ast.Term, o int32) *ast.Term {
	if o >= 0 {
		return loc[o]
	}
	return e.m.consts[-o-1]
}

// block executes block id and returns fallThrough, returned or the number
// of enclosing blocks still to leave (0: leave just this one, as an
// undefined statement does). The statements a run executes most are
// cases here; the others are in build.
func (e *eval) block(loc []*ast.Term, id int32) (int, error) {
	p := e.m.prog
	b := e.m.blocks[id]
	for pc := b.Start; pc < b.End; pc++ {
		in := &e.m.code[pc]
		switch in.Op {
		case OpReturnLocal:
			e.ret = loc[in.A]
			return returned, nil
		case OpCall:
			args := p.Args[in.B : in.B+in.C]
			var v *ast.Term
			var err error
			if in.A >= 0 {
				v, err = e.call(in.A, loc, args)
			} else {
				v, err = e.builtin(-in.A-1, loc, args)
			}
			if err != nil {
				return 0, err
			}
			if v == nil {
				return 0, nil
			}
			loc[in.D] = v
		case OpBlock:
			for _, child := range p.BlockLists[in.A : in.A+in.B] {
				r, err := e.block(loc, child)
				if err != nil || r == returned {
					return r, err
				}
				if r > 0 {
					return r - 1, nil
				}
			}
		case OpDot:
			src, key := e.get(loc, in.A), e.get(loc, in.B)
			if in.A < 0 || src == nil || key == nil {
				return 0, nil
			}
			v := dot(src, key)
			if v == nil {
				return 0, nil
			}
			loc[in.D] = v
		case OpScan:
			r, err := e.scan(loc, in)
			if err != nil || r != fallThrough {
				return r, err
			}
		case OpAssignInt, OpMakeNumberInt:
			loc[in.D] = e.index(int(in.A))
		case OpAssignVar:
			loc[in.D] = e.get(loc, in.A)
		case OpResetLocal:
			loc[in.D] = nil
		case OpMakeNumberRef:
			loc[in.D] = e.m.numbers[in.A]
		case OpEqual, OpNotEqual:
			a, b := e.get(loc, in.A), e.get(loc, in.B)
			if a == nil || b == nil || equal(a, b) != (in.Op == OpEqual) {
				return 0, nil
			}
		case OpIsDefined:
			if loc[in.A] == nil {
				return 0, nil
			}
		case OpIsUndefined:
			if loc[in.A] != nil {
				return 0, nil
			}
		default:
			if r, err := e.build(loc, in); err != nil || r != fallThrough {
				return r, err
			}
		}
	}
	return fallThrough, nil
}

// build executes the statements that block leaves out: they make values,
// add to them, test their kind, negate a block or break out of blocks. It returns what block
// returns for the statement: fallThrough to go on.
func (e *eval) build(loc []*ast.Term, in *Instr) (int, error) {
	switch in.Op {
	case OpNop:
	case OpBreak:
		return int(in.A), nil
	case OpLen:
		src := e.get(loc, in.A)
		if src == nil {
			return 0, nil
		}
		n := length(src.Value)
		if n < 0 {
			return 0, nil
		}
		loc[in.D] = e.index(n)
	case OpNot:
		r, err := e.block(loc, in.D)
		if err != nil || r == returned {
			return r, err
		}
		if r == fallThrough {
			return 0, nil
		}
		if r > 0 {
			return r - 1, nil
		}
	case OpAssignVarOnce:
		v := e.get(loc, in.A)
		if old := loc[in.D]; old != nil && !equal(old, v) {
			return 0, e.fail("complete rules must not produce multiple outputs", nil)
		}
		loc[in.D] = v
	case OpIsArray, OpIsObject, OpIsSet:
		v := e.get(loc, in.A)
		if in.A < 0 || v == nil || !isKind(v.Value, in.Op) {
			return 0, nil
		}
	case OpMakeNull:
		loc[in.D] = ast.InternedNullTerm
	case OpMakeArray:
		loc[in.D] = ast.NewTerm(ast.NewArrayWithCapacity(int(in.A)))
	case OpMakeObject:
		loc[in.D] = ast.NewTerm(ast.NewObject())
	case OpMakeSet:
		loc[in.D] = ast.NewTerm(ast.NewSet())
	default:
		return e.add(loc, in)
	}
	return fallThrough, nil
}

// add executes the statements that add to a value: an array, an object,
// a set, the result set.
func (e *eval) add(loc []*ast.Term, in *Instr) (int, error) {
	switch in.Op {
	case OpArrayAppend:
		// In place, as the plan expects (an array is a reference). An
		// array that gets one of the executor's own values becomes a List
		// (native.go), so the value keeps its form.
		appendNative(loc[in.D], e.get(loc, in.A))
	case OpObjectInsert:
		obj, k, v := loc[in.D].Value.(ast.Object), Plain(e.get(loc, in.A)), Plain(e.get(loc, in.B))
		if obj.Get(k) == v {
			// The plan of a multi-value rule adds to the set in place,
			// then inserts it again. ast rehashes the whole object on
			// every insert of an existing key (a pass per element:
			// quadratic), so the hash is brought up to date once, when
			// the function returns the object (settle).
			e.stale(obj)
			return fallThrough, nil
		}
		obj.Insert(k, v)
	case OpObjectInsertOnce:
		obj := loc[in.D].Value.(ast.Object)
		k, v := Plain(e.get(loc, in.A)), Plain(e.get(loc, in.B))
		if old := obj.Get(k); old != nil {
			if ast.Compare(old.Value, v.Value) != 0 {
				return 0, e.fail(fmt.Sprintf("object keys must be unique (key %v)", k), nil)
			}
			return fallThrough, nil
		}
		obj.Insert(k, v)
	case OpSetAdd:
		loc[in.D].Value.(ast.Set).Add(Plain(e.get(loc, in.A)))
	case OpResultSetAdd:
		e.results = append(e.results, Plain(loc[in.A]))
	default:
		return 0, e.fail(fmt.Sprintf("unknown instruction %d", in.Op), nil)
	}
	return fallThrough, nil
}

// errStop ends an iteration early.
var errStop = errors.New("stop")

// scan runs the body of a ScanStmt for each element of its source. As in
// the WebAssembly compiler, the loop and the block around it are two levels
// for breaks: 0 goes to the next element, 1 ends the loop, more leave the
// block holding the scan.
func (e *eval) scan(loc []*ast.Term, in *Instr) (int, error) {
	src := loc[in.A]
	if src == nil {
		return 0, nil
	}
	if e.depth == len(e.scanners) {
		sc := &scanner{e: e}
		sc.pair = sc.step
		sc.elem = func(t *ast.Term) error { return sc.step(t, t) }
		e.scanners = append(e.scanners, sc)
	}
	sc := e.scanners[e.depth]
	e.depth++
	defer func() { e.depth-- }()
	sc.loc, sc.in, sc.out, sc.err = loc, in, fallThrough, nil
	switch v := src.Value.(type) {
	case *ast.Array:
		for i := 0; i < v.Len(); i++ {
			if sc.step(e.index(i), v.Elem(i)) != nil {
				break
			}
		}
	case ast.Object:
		_ = v.Iter(sc.pair)
	case ast.Set:
		_ = v.Iter(sc.elem)
	case *List:
		for i, x := range v.elems {
			if sc.step(e.index(i), x) != nil {
				break
			}
		}
	case *Record:
		for i, x := range v.vals {
			if x != nil && sc.step(v.schema.keys[i], x) != nil {
				break
			}
		}
	}
	return sc.out, sc.err
}

// index gives the term of a non-negative integer (an array index, a
// length). OPA interns only the smallest ones; the others are made once
// per process (intTerms), not once per evaluation and worker.
func (e *eval) index(i int) *ast.Term {
	if i < 0 {
		return ast.InternedTerm(i)
	}
	if i >= len(e.ints) {
		e.ints = intTerms.upTo(i)
	}
	return e.ints[i]
}

// intTerms holds the terms of 0, 1, 2, ...: terms are immutable, so every
// evaluation shares them.
var intTerms termList

// termList is a list that only grows: a longer copy replaces it, and the
// views of the shorter one stay valid.
type termList struct {
	mu    sync.Mutex
	terms atomic.Pointer[[]*ast.Term]
}

// upTo gives the list with at least i+1 terms.
func (l *termList) upTo(i int) []*ast.Term {
	if p := l.terms.Load(); p != nil && i < len(*p) {
		return *p
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var old []*ast.Term
	if p := l.terms.Load(); p != nil {
		old = *p
	}
	if i < len(old) {
		return old
	}
	terms := make([]*ast.Term, max(i+1, 2*len(old), 256))
	copy(terms, old)
	for n := len(old); n < len(terms); n++ {
		terms[n] = ast.InternedTerm(n)
	}
	l.terms.Store(&terms)
	return terms
}

// scanner is the state of one loop; its step functions are made once, so
// a scan allocates nothing.
type scanner struct {
	e    *eval
	loc  []*ast.Term
	in   *Instr
	out  int
	err  error
	pair func(k, v *ast.Term) error
	elem func(*ast.Term) error
}

func (sc *scanner) step(k, v *ast.Term) error {
	e := sc.e
	if e.steps++; e.steps%cancelEvery == 1 {
		if err := e.ctx.Err(); err != nil {
			sc.err = e.fail("evaluation cancelled", err)
			return errStop
		}
	}
	sc.loc[sc.in.B], sc.loc[sc.in.C] = k, v
	r, err := e.block(sc.loc, sc.in.D)
	switch {
	case err != nil:
		sc.err = err
		return errStop
	case r == returned:
		sc.out = returned
		return errStop
	case r <= 0:
		return nil
	case r == 1:
		return errStop
	}
	sc.out = r - 2
	return errStop
}

func dot(src, key *ast.Term) *ast.Term {
	switch v := src.Value.(type) {
	case *Record:
		return v.get(key)
	case ast.Object:
		return v.Get(Plain(key))
	case *List:
		if i, ok := arrayIndex(key, len(v.elems)); ok {
			return v.elems[i]
		}
	case *ast.Array:
		if i, ok := arrayIndex(key, v.Len()); ok {
			return v.Elem(i)
		}
	case ast.Set:
		if key = Plain(key); v.Contains(key) {
			return key
		}
	}
	return nil
}

// arrayIndex reads key as an index of an array of n elements.
func arrayIndex(key *ast.Term, n int) (int, bool) {
	num, ok := key.Value.(ast.Number)
	if !ok {
		return 0, false
	}
	i, ok := num.Int()
	return i, ok && i >= 0 && i < n
}

func length(v ast.Value) int {
	switch v := v.(type) {
	case ast.String:
		return utf8.RuneCountInString(string(v))
	case *ast.Array:
		return v.Len()
	case ast.Object:
		return v.Len()
	case ast.Set:
		return v.Len()
	case *List:
		return len(v.elems)
	case *Record:
		return v.n
	}
	return -1
}

func isKind(v ast.Value, op Op) bool {
	switch v.(type) {
	case *ast.Array, *List:
		return op == OpIsArray
	case ast.Object, *Record:
		return op == OpIsObject
	case ast.Set:
		return op == OpIsSet
	}
	return false
}
