// Package vm executes a Rego query plan: OPA's intermediate representation
// (the "plan" target of opa build), flattened into arrays of fixed-size
// instructions.
//
// OPA's evaluator (topdown) interprets the compiled Rego AST: every run of
// portguard compiled about forty modules (~60 ms) and then spent roughly a
// microsecond per expression step. The plan is produced once, when the
// built-in policies change (`make plan`), by the generator in
// internal/vm/plangen, and ships as Go data in the binary, so a run neither
// parses nor compiles Rego, and each plan statement costs a switch case and
// a slice access. This package is the runtime alone.
//
// The semantics follow OPA's WebAssembly compiler, the reference consumer of
// plans: blocks, breaks counted in enclosing blocks (a scan counts twice, as
// its loop and the block around it), memoised functions of (input, data),
// undefined statements leaving their block. Built-in functions are OPA's own
// implementations (topdown.GetBuiltin), so sprintf, regex.match and the rest
// behave exactly as under topdown; a built-in error makes the call undefined,
// as topdown does when strict built-in errors are off.
package vm

// Op is an instruction code.
type Op uint8

// The instructions, one per IR statement (see ir.go of OPA); the fields each
// uses are listed as A, B, C, D.
const (
	OpNop              Op = iota
	OpReturnLocal         // A: local
	OpCall                // A: callee (>= 0 function, < 0 builtin -(k+1)), B: first argument in Args, C: argument count, D: result local
	OpBlock               // A: first block id in BlockLists, B: count
	OpBreak               // A: index
	OpDot                 // A: source operand, B: key operand, D: target
	OpLen                 // A: source operand, D: target
	OpScan                // A: source local, B: key local, C: value local, D: block id
	OpNot                 // D: block id
	OpAssignInt           // A: value, D: target
	OpAssignVar           // A: source operand, D: target
	OpAssignVarOnce       // A: source operand, D: target
	OpResetLocal          // D: target
	OpMakeNull            // D: target
	OpMakeNumberInt       // A: value, D: target
	OpMakeNumberRef       // A: string index of the literal, D: target
	OpMakeArray           // A: capacity, D: target
	OpMakeObject          // D: target
	OpMakeSet             // D: target
	OpEqual               // A, B: operands
	OpNotEqual            // A, B: operands
	OpIsArray             // A: operand
	OpIsObject            // A: operand
	OpIsSet               // A: operand
	OpIsDefined           // A: local
	OpIsUndefined         // A: local
	OpArrayAppend         // A: value operand, D: array local
	OpObjectInsert        // A: key operand, B: value operand, D: object local
	OpObjectInsertOnce    // A: key operand, B: value operand, D: object local
	OpSetAdd              // A: value operand, D: set local
	OpResultSetAdd        // A: local
	opCount
)

// Operands are int32: a value >= 0 is a local; a negative value -(k+1)
// names constant k: the string constants first (index = string index),
// then true and false.

// Instr is one statement.
type Instr struct {
	Op         Op
	A, B, C, D int32
}

// Block is a range of Code.
type Block struct{ Start, End int32 }

// Func is a planned function: a rule or a user function. By the convention
// of plans, its first two parameters are the input and the data documents;
// a function of only those two is a rule without arguments, and its value is
// memoised for the evaluation.
type Func struct {
	Name   string
	Params []int32
	Return int32
	Blocks []int32
	// Locals is the number of locals the function uses (the highest + 1).
	Locals int32
}

// Program is a flattened plan, as plain numbers and strings so that it
// can be written as Go data (plangen.GoSource).
type Program struct {
	Strings  []string
	Builtins []string
	// Code holds the instructions, five words each: Op, A, B, C, D.
	Code []int32
	// Blocks holds the blocks, two words each: Start, End (in instructions).
	Blocks     []int32
	BlockLists []int32
	Args       []int32
	Funcs      []Func
	// Plan is the query: its blocks add to the result set.
	Plan Func
}
