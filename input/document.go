// Package input gathers facts: it discovers compose files, loads them with
// compose-go and a YAML node walk, reads the root .env and the convention
// table, and builds the Document that the Rego policies judge. It computes
// facts only, never verdicts, and never imports the engine or the reports.
package input

// DocumentVersion is the version of the input document's shape. Policies may
// check it; it changes only when a field changes meaning or disappears.
const DocumentVersion = 1

// Redacted replaces every value that is not port-like before it enters the
// document, so no output can ever carry a secret.
const Redacted = "<redacted>"

// Document is the single JSON input the policies see.
type Document struct {
	Version int    `json:"version"`
	Root    string `json:"root"`
	// ExplicitFiles is true when the compose files were named with -f: the
	// check sees part of the repository, so table rows for the other
	// stacks are not judged.
	ExplicitFiles bool        `json:"explicit_files"`
	Config        Config      `json:"config"`
	Files         []File      `json:"files"`
	Services      []Service   `json:"services"`
	Volumes       []Volume    `json:"volumes"`
	Env           Env         `json:"env"`
	Conventions   Conventions `json:"conventions"`
	Repo          Repo        `json:"repo"`
	Unset         []UnsetVar  `json:"unset_variables"`
	// Ignores are the inline suppressions (portguard:ignore comments).
	Ignores []Ignore     `json:"ignores"`
	Errors  []InputError `json:"errors"`
	// Live is what runs on the host; only run and audit gather it.
	Live *Live `json:"live,omitempty"`

	// Profiles are the profiles enabled with --profile: the document then
	// holds only the services that run with them. Empty when none was
	// given: every service is checked, and services in disjoint profiles
	// are alternatives.
	Profiles []string `json:"profiles"`
}

// File is one compose file that took part in the check.
type File struct {
	Path    string `json:"path"`
	Project string `json:"project"`
	// Role is "base", "override" (merged into the base file, as docker
	// compose does), "include" or "extends" (pulled in by another file).
	Role string `json:"role"`
}

// Position is where a fact was written: 1-based line and column (in
// characters), and the column just past its last character.
type Position struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndColumn int    `json:"end_column"`
}

// Service is one service of one compose project, after override files,
// include and extends are merged.
type Service struct {
	Name    string `json:"name"`
	Project string `json:"project"`
	// ProjectFile is the base file of the service's project: it tells apart
	// projects that share a name (files in one directory without name:).
	ProjectFile string `json:"project_file"`
	Position
	// Tokens are the lowercase words of the service name ("timescaledb",
	// "backup"); classification by name uses them.
	Tokens        []string          `json:"tokens"`
	Image         string            `json:"image"`
	ImageRepo     string            `json:"image_repo"`
	ImageName     string            `json:"image_name"`
	ImageTokens   []string          `json:"image_tokens"`
	ContainerName string            `json:"container_name"`
	Labels        map[string]string `json:"labels"`
	XPortguard    map[string]any    `json:"x_portguard"`
	NetworkMode   string            `json:"network_mode"`
	Profiles      []string          `json:"profiles"`
	Ports         []Port            `json:"ports"`
	Volumes       []ServiceVolume   `json:"volumes"`
	Environment   []EnvEntry        `json:"environment"`
	// NetworkModeAt is where network_mode is written (its value), null
	// when it is not.
	NetworkModeAt *Position `json:"network_mode_at"`
	// Classification is what the service is, decided once from the
	// evidence (see classify.go); the policies read it and never
	// classify again.
	Classification Classification `json:"classification"`
}

// Classification is what a service is (a database, a database UI, an
// exporter, a one-shot job, or something else), with the knowledge-base
// entry it was recognised as and the evidence that decided it.
type Classification struct {
	// Category is database, ui, exporter, job or other (or a category of
	// the user's: a label or .portguard.yaml may name any).
	Category string `json:"category"`
	// Kind is the id of the knowledge-base entry, "" when none.
	Kind    string `json:"kind"`
	Family  string `json:"family"`
	Display string `json:"display"`
	// DecidedBy is the kind of evidence that decided the category: label,
	// x-portguard, config, image, image-pattern, command, name or none.
	DecidedBy string `json:"decided_by"`
	// Weak is true when the category rests on the words of a name alone
	// (the service's or the image's): findings that rest on it are at most
	// warnings, and say so.
	Weak bool `json:"weak"`
	// Basis says in words what decided the category, for messages
	// ("the word \"redis\" of the service name redis-cluster").
	Basis string `json:"basis"`
	// KeepsData is false for what keeps no data on disk: everything but a
	// database, and databases that are routers, sentinels, poolers or
	// in-memory stores.
	KeepsData bool `json:"keeps_data"`
	// Ports are the container ports the service listens on: the image's
	// documented ports, with those its command or environment sets.
	// Empty when the image is not known (a guess from words).
	Ports     []int             `json:"ports"`
	PortNames map[string]string `json:"port_names"`
	// DataDirs are the directories that hold the data: the image's, or
	// those its command or environment sets. Empty when unknown.
	DataDirs []string `json:"data_dirs"`
	// ListenEnv are the service's own environment variables that set its
	// listen port (PGPORT): configuration of the database itself.
	ListenEnv []string `json:"listen_env"`
	// Evidence lists every piece of evidence that was read, strongest
	// first.
	Evidence []Evidence `json:"evidence"`
}

// Evidence is one fact that classification used.
type Evidence struct {
	// Kind is label, x-portguard, config, image, image-pattern, command,
	// environment, image-words or name.
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Port is one entry of a service's ports list.
type Port struct {
	Raw    string `json:"raw"`
	Syntax string `json:"syntax"` // "short" or "long"
	Position
	HostIP   string `json:"host_ip"`
	Protocol string `json:"protocol"`
	// Published is the host port as written in the compose file: the literal,
	// or the variable's default. Nil when the file gives no number.
	Published      *int  `json:"published"`
	PublishedRange []int `json:"published_range"`
	Target         int   `json:"target"`
	TargetRange    []int `json:"target_range"`
	// Variable is the variable that sets the host port, if any.
	Variable *PortVariable `json:"variable"`
	// Effective is the host port docker compose would publish: the .env
	// value if set, else the default, else the literal. Nil when unknown.
	Effective      *int  `json:"effective"`
	EffectiveRange []int `json:"effective_range"`
}

// PortVariable describes `${NAME:-default}` (or `$NAME`, `${NAME-d}`,
// `${NAME:?msg}`) in a host port.
type PortVariable struct {
	Name string `json:"name"`
	// Form is the operator: ":-", "-", ":?", "?", ":+", "+", "" for
	// `${NAME}` and "$" for `$NAME`.
	Form       string `json:"form"`
	Default    string `json:"default"`
	HasDefault bool   `json:"has_default"`
	// EnvValue is the compose view of the root .env (nil when unset there).
	EnvValue *string `json:"env_value"`
	EnvLine  int     `json:"env_line"`
	EnvFile  string  `json:"env_file"`
	// AppValue is what the applications' dotenv loaders read.
	AppValue *string `json:"app_value"`
}

// ServiceVolume is one entry of a service's volumes list.
type ServiceVolume struct {
	// Type is "volume" (named), "bind", "tmpfs", "anonymous", "npipe",
	// "cluster" or "image".
	Type     string `json:"type"`
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only"`
	Position
}

// EnvEntry is one entry of a service's environment. Its value is redacted
// unless the name is port-like; references to hosts and ports found in the
// value are kept as facts.
type EnvEntry struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Position
	// UsesVariable is true when the value is written with `${...}`.
	UsesVariable bool      `json:"uses_variable"`
	PortRefs     []PortRef `json:"port_refs"`
}

// PortRef is a host:port pair found in an environment value
// (`postgres://u:p@timescaledb:7000/db`, `localhost:7030`).
type PortRef struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// Volume is a top-level volume of a compose project.
type Volume struct {
	Key      string            `json:"key"`
	Name     string            `json:"name"`
	HasName  bool              `json:"has_name"`
	External bool              `json:"external"`
	Labels   map[string]string `json:"labels"`
	Project  string            `json:"project"`
	// ProjectFile is the base file of the volume's project.
	ProjectFile string `json:"project_file"`
	Position
}

// Env is the root .env as docker compose and the applications read it.
type Env struct {
	// File is the file that was read, relative to the root: ".env", or
	// ".env.example" standing in for it, or "" when neither exists.
	File string   `json:"file"`
	Vars []EnvVar `json:"vars"`
}

// EnvVar is one variable of the root .env. Value and AppValue are redacted
// unless the variable is port-like.
type EnvVar struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	AppValue string `json:"app_value"`
	Line     int    `json:"line"`
	PortLike bool   `json:"port_like"`
}

// Conventions is the PORTS-CONVENTION.md table.
type Conventions struct {
	File string          `json:"file"`
	Rows []ConventionRow `json:"rows"`
}

// ConventionRow is one documented port (or range) of the convention table.
type ConventionRow struct {
	Port      *int   `json:"port"`
	PortRange []int  `json:"port_range"`
	Service   string `json:"service"`
	EnvVar    string `json:"env_var"`
	Category  string `json:"category"`
	// InternalPort is the container port the row names, if any.
	InternalPort *int   `json:"internal_port"`
	Section      string `json:"section"`
	Line         int    `json:"line"`
	// Generated is true for a row of the table `portguard docs` writes
	// between the portguard markers: it documents a port, but the rules
	// that judge the table leave it alone.
	Generated bool `json:"generated"`
}

// Repo holds facts about the repository beyond compose files.
type Repo struct {
	EnvFiles []string  `json:"env_files"`
	EnvLoads []EnvLoad `json:"env_loads"`
}

// EnvLoad is a place where application code loads dotenv itself.
type EnvLoad struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Via  string `json:"via"`
}

// UnsetVar is a variable referenced in a compose file with no value in the
// root .env and no default; the check goes on without it.
type UnsetVar struct {
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// InputError is a problem with the input that stopped part of it from being
// checked. It keeps the position where one can be known.
type InputError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (e InputError) Error() string { return e.Where() + ": " + e.Message }

// Where renders the error's position as file:line:col.
func (e InputError) Where() string { return formatPos(e.File, e.Line, e.Column) }
