package input

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/osfile"
)

// ConfigFileName is the optional configuration file at the root.
const ConfigFileName = ".portguard.yaml"

// Config is the resolved .portguard.yaml: every key has a default. It reaches
// the policies as input.config, so rules read ranges from here and never
// from constants.
type Config struct {
	// Ranges maps "protected" (the whole database range), "reserved" and
	// each category ("database", "ui", "exporter") to its host port range.
	Ranges map[string]Range `json:"ranges" yaml:"ranges"`
	// ComposeFiles are the base-name globs of discovery.
	ComposeFiles []string `json:"compose_files" yaml:"compose_files"`
	// Exclude are globs of paths (relative to the root) that discovery
	// skips; see MatchExclude.
	Exclude []string `json:"exclude" yaml:"exclude"`
	// ConflictScope is "host" (every project shares one host: ports
	// conflict across projects) or "project" (each project has its own).
	ConflictScope string `json:"conflict_scope" yaml:"conflict_scope"`
	// EnvFile is the root .env, relative to the root.
	EnvFile string `json:"env_file" yaml:"env_file"`
	// ConventionsFile is the port table, relative to the root.
	ConventionsFile string `json:"conventions_file" yaml:"conventions_file"`
	// EnvLoader is the one module allowed to load dotenv.
	EnvLoader string `json:"env_loader" yaml:"env_loader"`
	// Categories overrides the classification of services by name.
	Categories map[string]string `json:"categories" yaml:"categories"`
	// Exceptions suppress single findings.
	Exceptions []Exception `json:"exceptions" yaml:"exceptions"`
	// DisabledRules are rule ids that never report.
	DisabledRules []string `json:"disabled_rules" yaml:"disabled_rules"`
	// Severity overrides a rule's severity ("error", "warning", "note").
	Severity map[string]string `json:"severity" yaml:"severity"`
	// FailOn is the lowest severity that fails the check: error, warning, never.
	FailOn string `json:"fail_on" yaml:"fail_on"`
	// EnvVarForm is "databases" (DBP201 for databases, UIs and exporters) or
	// "all" (every service).
	EnvVarForm string `json:"env_var_form" yaml:"env_var_form"`
	// MaxFileSize is the largest input file read, in bytes.
	MaxFileSize int64 `json:"max_file_size" yaml:"max_file_size"`
	// Baseline is the baseline file check reads (`check --baseline`
	// replaces it), relative to the root; "" for none.
	Baseline string `json:"baseline" yaml:"baseline"`
	// File is the config file that was read ("" for the defaults alone).
	File string `json:"file" yaml:"-"`
	// RuleRefs are the rule ids the file names (disabled_rules, severity,
	// exceptions) where it names them, so that an id no rule has is an
	// error at its line once the catalog is known.
	RuleRefs []RuleRef `json:"-" yaml:"-"`
}

// RuleRef is a rule id written in the configuration (or in an inline
// suppression), with its position and the key it was written under.
type RuleRef struct {
	Rule   string
	File   string
	Line   int
	Column int
	Where  string
}

// Range is an inclusive host port range.
type Range struct {
	From int `json:"from" yaml:"from"`
	To   int `json:"to" yaml:"to"`
}

// Contains reports whether port lies in the range.
func (r Range) Contains(port int) bool { return port >= r.From && port <= r.To }

// Exception suppresses the findings of one rule for one service (and
// optionally one file) until it expires.
type Exception struct {
	Rule    string `json:"rule" yaml:"rule"`
	Service string `json:"service" yaml:"service"`
	File    string `json:"file" yaml:"file"`
	Reason  string `json:"reason" yaml:"reason"`
	Expires string `json:"expires" yaml:"expires"`
	// Line is where the exception is written in the config file.
	Line int `json:"line" yaml:"-"`
}

// under makes the configuration's paths, which are relative to the
// directory it is read in (the project directory), relative to the root
// that prefix (the project directory, relative to the root) lies in, as
// every path of the document is.
func (c *Config) under(prefix string) {
	if prefix == "." {
		return
	}
	for _, p := range []*string{&c.EnvFile, &c.ConventionsFile, &c.EnvLoader, &c.Baseline} {
		if *p != "" && !path.IsAbs(*p) {
			*p = path.Join(prefix, filepath.ToSlash(*p))
		}
	}
	for i := range c.Exceptions {
		if f := c.Exceptions[i].File; f != "" && !path.IsAbs(f) {
			c.Exceptions[i].File = path.Join(prefix, f)
		}
	}
}

// DefaultConfig returns the convention of DESIGN section 2.
func DefaultConfig() Config {
	return Config{
		Ranges: map[string]Range{
			"protected": {7000, 7999},
			"database":  {7000, 7099},
			"ui":        {7100, 7199},
			"exporter":  {7200, 7299},
			"reserved":  {7300, 7999},
		},
		ComposeFiles:    []string{"compose*.yml", "compose*.yaml", "docker-compose*.yml", "docker-compose*.yaml"},
		Exclude:         []string{},
		ConflictScope:   "host",
		EnvFile:         ".env",
		ConventionsFile: "PORTS-CONVENTION.md",
		EnvLoader:       "backend/shared/config/load-env.js",
		Categories:      map[string]string{},
		Exceptions:      []Exception{},
		DisabledRules:   []string{},
		Severity:        map[string]string{},
		FailOn:          "error",
		EnvVarForm:      "databases",
		MaxFileSize:     DefaultMaxFileSize,
	}
}

// fillNil gives empty values to keys the file set to null, so the document
// always has the same shape.
func (c *Config) fillNil() {
	for _, l := range []*[]string{&c.ComposeFiles, &c.Exclude, &c.DisabledRules} {
		if *l == nil {
			*l = []string{}
		}
	}
	for _, m := range []*map[string]string{&c.Categories, &c.Severity} {
		if *m == nil {
			*m = map[string]string{}
		}
	}
	if c.Exceptions == nil {
		c.Exceptions = []Exception{}
	}
}

// Severities in decreasing order of weight.
var Severities = []string{"error", "warning", "note"}

// FailLevels are the values of fail_on and --fail-on.
var FailLevels = []string{"error", "warning", "never"}

// ConfigError is an invalid configuration file; it maps to exit code 2.
type ConfigError struct {
	File, Msg string
	Line      int
}

func (e *ConfigError) Error() string { return formatPos(e.File, e.Line, 0) + ": " + e.Msg }

// LoadConfig reads the configuration at path over the defaults. A missing
// file at the default location is not an error; required says the user
// named it explicitly.
func LoadConfig(path, display string, required bool) (Config, error) {
	cfg := DefaultConfig()
	// The config cannot set its own size limit: the default applies.
	data, err := osfile.Read(path, cfg.MaxFileSize)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !required {
			return cfg, nil
		}
		return cfg, &ConfigError{File: display, Msg: "cannot read config: " + pathErrorReason(err)}
	}
	if err := ParseConfig(display, data, &cfg); err != nil {
		return cfg, err
	}
	cfg.File = display
	return cfg, nil
}

var (
	yamlLineRE     = regexp.MustCompile(`line (\d+): (.*)`)
	unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+`)
)

// configKeys lists the keys of .portguard.yaml, for error messages.
func configKeys() []string {
	t := reflect.TypeOf(Config{})
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
}

// ParseConfig decodes data over cfg. Unknown keys and wrong types are errors
// with their line.
func ParseConfig(file string, data []byte, cfg *Config) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return yamlError(file, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	ranges := cfg.Ranges
	cfg.Ranges = nil
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return yamlError(file, err)
	}
	// Ranges named in the file replace the defaults one by one.
	for k, v := range cfg.Ranges {
		ranges[k] = v
	}
	cfg.Ranges = ranges
	lineOfExceptions(&doc, cfg)
	cfg.RuleRefs = ruleRefs(file, doc.Content[0])
	cfg.fillNil()
	return validateConfig(file, &doc, cfg)
}

// yamlError turns a yaml.v3 error into file:line: message errors.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return configErrorFromText(file, te.Errors[0])
	}
	return configErrorFromText(file, strings.TrimPrefix(err.Error(), "yaml: "))
}

func configErrorFromText(file, msg string) *ConfigError {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		text := m[2]
		if k := unknownFieldRE.FindStringSubmatch(text); k != nil {
			text = fmt.Sprintf("unknown key %s (known keys: %s)", k[1], strings.Join(configKeys(), ", "))
		}
		return &ConfigError{File: file, Line: line, Msg: text}
	}
	return &ConfigError{File: file, Msg: msg}
}

// lineOfExceptions records where each exception is written, so a finding
// about an exception can point at it.
func lineOfExceptions(doc *yaml.Node, cfg *Config) {
	seq := mappingValue(doc.Content[0], "exceptions")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range seq.Content {
		if i < len(cfg.Exceptions) {
			cfg.Exceptions[i].Line = item.Line
		}
	}
}

func validateConfig(file string, doc *yaml.Node, cfg *Config) error {
	top := doc.Content[0]
	lineOf := func(keys ...string) int {
		n := top
		line := 0
		for _, k := range keys {
			if n == nil || n.Kind != yaml.MappingNode {
				break
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
					n = n.Content[i+1]
					break
				}
			}
		}
		return line
	}
	fail := func(line int, format string, args ...any) error {
		return &ConfigError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	names := make([]string, 0, len(cfg.Ranges))
	for k := range cfg.Ranges {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		r := cfg.Ranges[k]
		if r.From < 1 || r.To > 65535 || r.From > r.To {
			return fail(lineOf("ranges", k), "range %s: %d-%d is not a valid port range (1-65535, from <= to)", k, r.From, r.To)
		}
	}
	if !slices.Contains(FailLevels, cfg.FailOn) {
		return fail(lineOf("fail_on"), "fail_on: %q is not one of %s", cfg.FailOn, strings.Join(FailLevels, ", "))
	}
	if cfg.EnvVarForm != "databases" && cfg.EnvVarForm != "all" {
		return fail(lineOf("env_var_form"), "env_var_form: %q is not one of databases, all", cfg.EnvVarForm)
	}
	if cfg.ConflictScope != "host" && cfg.ConflictScope != "project" {
		return fail(lineOf("conflict_scope"), "conflict_scope: %q is not one of host, project", cfg.ConflictScope)
	}
	for i, p := range cfg.Exclude {
		if err := ValidExclude(p); err != nil {
			line := lineOf("exclude")
			if seq := mappingValue(top, "exclude"); seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
				line = seq.Content[i].Line
			}
			return fail(line, "exclude: %v", err)
		}
	}
	for rule, sev := range cfg.Severity {
		if !slices.Contains(Severities, sev) {
			return fail(lineOf("severity", rule), "severity of %s: %q is not one of %s", rule, sev, strings.Join(Severities, ", "))
		}
	}
	if cfg.MaxFileSize <= 0 {
		return fail(lineOf("max_file_size"), "max_file_size must be positive")
	}
	for _, e := range cfg.Exceptions {
		if e.Rule == "" {
			return fail(e.Line, "exception without rule")
		}
	}
	return nil
}

// ruleRefs lists the rule ids of disabled_rules, severity and exceptions
// with their positions.
func ruleRefs(file string, top *yaml.Node) []RuleRef {
	var refs []RuleRef
	add := func(n *yaml.Node, where string) {
		if n != nil && n.Kind == yaml.ScalarNode {
			refs = append(refs, RuleRef{Rule: n.Value, File: file, Line: n.Line, Column: n.Column, Where: where})
		}
	}
	if seq := mappingValue(top, "disabled_rules"); seq != nil && seq.Kind == yaml.SequenceNode {
		for _, n := range seq.Content {
			add(n, "disabled_rules")
		}
	}
	if m := mappingValue(top, "severity"); m != nil && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			add(m.Content[i], "severity")
		}
	}
	if seq := mappingValue(top, "exceptions"); seq != nil && seq.Kind == yaml.SequenceNode {
		for _, item := range seq.Content {
			add(mappingValue(item, "rule"), "exceptions")
		}
	}
	return refs
}

// mappingValue returns the value node of key in a mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// DefaultMaxFileSize is max_file_size when the configuration does not set
// it: the largest input file read, in bytes.
const DefaultMaxFileSize = 10 << 20

// pathErrorReason says why a file could not be read, without its path,
// which callers print themselves; a file over max_file_size names the
// setting that raises the limit.
func pathErrorReason(err error) string {
	msg := osfile.Reason(err).Error()
	var se *osfile.SizeError
	if errors.As(err, &se) {
		msg += " (max_file_size in " + ConfigFileName + ")"
	}
	return msg
}
