package input

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Classification decides what a service is from evidence, strongest first,
// and records which evidence decided it:
//
//  1. the label portguard.category, x-portguard.category, or the
//     categories of .portguard.yaml: the user says so;
//  2. the image: its repository (or image name) matched exactly in the
//     knowledge base, else a pattern of the knowledge base for families
//     of images (applications whose image names end in a database word,
//     database exporters, backup agents);
//  3. the command and entrypoint: a database image whose command runs only
//     a client (mongosh, psql) is a one-shot job; one that runs a router or
//     sentinel (mongos, redis-sentinel), or a server told to keep nothing
//     on disk (redis-server --save ""), is a database that keeps no data;
//     a command that runs a known server identifies the database on an
//     image the knowledge base does not know. Flags of the server (--port,
//     --datadir, -c port=...) set its listen port and data directory;
//  4. the environment: the variables the image reads for its listen port
//     and data directory (PGPORT, PGDATA) override the image's defaults;
//  5. last, the words a name ends with, the image's then the service's
//     ("redis-cluster", "orders-db-backup"): a guess, marked weak. Rules
//     that rest on a weak classification report at most warnings and say
//     what they were based on. A name word is matched only at the end of
//     the name (after words such as backup, replica or node), so
//     "postgres-meta" or "exporter-jobs" name nothing.

// commandFacts are a service's entrypoint and command as docker compose
// runs them (interpolated; a string split as compose splits it).
type commandFacts struct {
	entrypoint, command []string
	hasEntrypoint       bool
}

// classify computes the classification of svc. env holds the interpolated
// values of the variables the knowledge base reads (kb.envNames) that svc
// sets.
func classify(kb *KnowledgeBase, categories map[string]string, svc *Service, cmd commandFacts, env map[string]string) Classification {
	c := Classification{Category: "other", DecidedBy: "none", PortNames: map[string]string{},
		Ports: []int{}, DataDirs: []string{}, ListenEnv: []string{}, Evidence: []Evidence{}}

	explicit, explicitBy := explicitCategory(svc, categories)
	if explicit != "" {
		c.Category, c.DecidedBy = explicit, explicitBy
		c.Evidence = append(c.Evidence, Evidence{Kind: explicitBy, Detail: explicitDetail(explicitBy, explicit, svc.Name)})
	}

	id, imageEv := imageEntry(kb, svc)
	var entry ImageEntry
	known := id != ""
	if known {
		entry = kb.Images[id]
		c.Evidence = append(c.Evidence, imageEv)
		if explicit == "" {
			c.Category, c.DecidedBy = entry.Category, imageEv.Kind
		}
	}

	prog := readPrograms(kb, cmd)
	id, entry, known = c.readCommand(kb, prog, id, entry, explicit != "")

	if known {
		c.Kind, c.Family, c.Display = id, entry.Family, displayOf(entry, id)
		c.KeepsData = entry.keepsData() && c.Category == "database"
		c.Ports = append(c.Ports, entry.Ports...)
		for k, v := range entry.PortNames {
			c.PortNames[k] = v
		}
		c.DataDirs = append(c.DataDirs, entry.DataDirs...)
		c.applyServer(entry, prog, env)
	} else if explicit == "" {
		c.guessFromWords(kb, svc)
	} else if wid, _, _ := wordsEntry(kb, svc); wid != "" {
		// The user named the category; the words still give the family
		// (for sequences and variable names), never ports or directories.
		e := kb.Images[wid]
		c.Kind, c.Family, c.Display = wid, e.Family, displayOf(e, wid)
	}
	if c.Category == "database" && !known && explicit != "" {
		c.KeepsData = true
	}
	c.Basis = basis(c, svc)
	sort.Ints(c.Ports)
	c.Ports = slices.Compact(c.Ports)
	return c
}

// readCommand refines what the image says with what the command runs
// (see Classification, 3): it returns the knowledge base entry that now
// describes the service, and records the evidence; explicit is true when
// the user gave the category, which the command then does not change.
func (c *Classification) readCommand(kb *KnowledgeBase, prog programs, id string, entry ImageEntry, explicit bool) (string, ImageEntry, bool) {
	known := id != ""
	server := prog.server
	switch {
	case known && entry.Category == "database":
		// The command refines what the image is.
		switch {
		case server != nil && kb.Images[server.id].Family != entry.Family:
			// A general image running another database's server
			// ("neon-local" running pageserver): the server says which.
			id, entry = server.id, kb.Images[server.id]
			c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("runs %s, the server of %s", server.exe, displayOf(entry, id))})
		case prog.router != "":
			c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("runs %s, a router: it keeps no data", prog.router)})
		case server == nil && prog.client != "" && !prog.defaultServer:
			c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("runs %s, a client, and no server: a one-shot job", prog.client)})
			if !explicit {
				c.Category, c.DecidedBy = "job", "command"
			}
		}
	case !known || entry.Category == "other":
		switch {
		case server != nil && !known:
			id, known = server.id, true
			entry = kb.Images[id]
			c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("runs %s, the server of %s", server.exe, displayOf(entry, id))})
			if !explicit {
				c.Category, c.DecidedBy = entry.Category, "command"
			}
		case prog.router != "" && !known:
			id, known = prog.routerID, true
			entry = kb.Images[id]
			c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("runs %s, a router of %s: it keeps no data", prog.router, displayOf(entry, id))})
			if !explicit {
				c.Category, c.DecidedBy = "database", "command"
			}
		case prog.client != "" && server == nil:
			c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("runs %s, a database client: a one-shot job", prog.client)})
			if !explicit {
				c.Category, c.DecidedBy = "job", "command"
			}
		}
	}
	return id, entry, known
}

// explicitCategory is the category the user gave: the label, x-portguard,
// then .portguard.yaml.
func explicitCategory(svc *Service, categories map[string]string) (category, by string) {
	if v := strings.TrimSpace(svc.Labels["portguard.category"]); v != "" {
		return v, "label"
	}
	if v, ok := svc.XPortguard["category"].(string); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), "x-portguard"
	}
	if v := categories[svc.Name]; v != "" {
		return v, "config"
	}
	return "", ""
}

func explicitDetail(by, category, name string) string {
	switch by {
	case "label":
		return "label portguard.category=" + category
	case "x-portguard":
		return "x-portguard category: " + category
	}
	return fmt.Sprintf("categories: {%s: %s} in %s", name, category, ConfigFileName)
}

// imageEntry is the knowledge-base entry the image names: its repository,
// its image name, then a pattern.
func imageEntry(kb *KnowledgeBase, svc *Service) (string, Evidence) {
	if svc.ImageRepo == "" {
		return "", Evidence{}
	}
	if id, ok := kb.byRepo[svc.ImageRepo]; ok {
		return id, Evidence{Kind: "image", Detail: "image repository " + svc.ImageRepo}
	}
	if id, ok := kb.imageNames[strings.Join(svc.ImageTokens, "-")]; ok && svc.ImageName != "" {
		return id, Evidence{Kind: "image", Detail: "image name " + svc.ImageName}
	}
	if id, p := kb.byPattern(svc.ImageRepo, svc.ImageName); id != "" {
		return id, Evidence{Kind: "image-pattern", Detail: fmt.Sprintf("image %s matches %q", svc.ImageRepo, p)}
	}
	return "", Evidence{}
}

// roleWords end a name without changing what it is: "timescaledb-backup"
// is a TimescaleDB, "qdrant_node_1" a Qdrant.
var roleWords = map[string]bool{
	"backup": true, "backups": true, "bkp": true, "replica": true, "replicas": true, "standby": true,
	"secondary": true, "slave": true, "follower": true, "mirror": true, "master": true, "primary": true,
	"main": true, "leader": true, "node": true, "nodes": true, "cluster": true, "shard": true,
	"instance": true, "dev": true, "test": true, "tests": true, "local": true, "prod": true,
	"staging": true, "old": true, "new": true, "legacy": true, "cache": true, "server": true,
}

// toolWords end the name of a database's tool: "redis-ui" is a UI of
// Redis, "timescaledb-exporter" an exporter. Alone, or after a word that
// names no database ("kafka-ui"), they name nothing.
var toolWords = map[string]string{
	"ui": "ui", "gui": "ui", "admin": "ui", "web": "ui", "console": "ui", "dashboard": "ui",
	"browser": "ui", "studio": "ui", "explorer": "ui", "commander": "ui", "insight": "ui",
	"exporter": "exporter", "metrics": "exporter",
}

var trailingDigits = regexp.MustCompile(`^([a-z]+)[0-9]+$`)

// wordsEntry is the entry the words of the image's name, then of the
// service's name, end with; category is the entry's, or ui or exporter
// for a tool of a database ("redis-ui").
func wordsEntry(kb *KnowledgeBase, svc *Service) (id, category, detail string) {
	if len(svc.ImageTokens) > 0 {
		if id, cat, phrase := endingEntry(kb, svc.ImageTokens); id != "" || cat != "" {
			return id, cat, fmt.Sprintf("the word%s %q of the image name %s", plural(phrase), phrase, svc.ImageName)
		}
	}
	if id, cat, phrase := endingEntry(kb, svc.Tokens); id != "" || cat != "" {
		return id, cat, fmt.Sprintf("the word%s %q of the service name %s", plural(phrase), phrase, svc.Name)
	}
	return "", "", ""
}

func plural(phrase string) string {
	if strings.Contains(phrase, "-") {
		return "s"
	}
	return ""
}

// endingEntry finds the entry that the words end with: the longest run of
// final words named in the knowledge base; else a tool word after words
// that name a database; else the same without a final role word or
// number ("redis-cluster", "redis7", "qdrant-node-1").
func endingEntry(kb *KnowledgeBase, words []string) (id, category, phrase string) {
	for len(words) > 0 {
		for start := range words {
			p := strings.Join(words[start:], "-")
			if start == len(words)-1 && roleWords[p] {
				// "node" ends "qdrant-node": a role, not the Node.js image.
				break
			}
			if id, ok := kb.byName[p]; ok {
				return id, kb.Images[id].Category, p
			}
		}
		last := words[len(words)-1]
		if cat, ok := toolWords[last]; ok && len(words) > 1 {
			if id, c, p := endingEntry(kb, words[:len(words)-1]); id != "" && c == "database" {
				return id, cat, p + "-" + last
			}
		}
		if m := trailingDigits.FindStringSubmatch(last); m != nil {
			if id, ok := kb.byName[m[1]]; ok {
				return id, kb.Images[id].Category, last
			}
		}
		if !roleWords[last] && !isDigits(last) {
			return "", "", ""
		}
		words = words[:len(words)-1]
	}
	return "", "", ""
}

func isDigits(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// guessFromWords classifies a service that nothing else did by the words
// its image's or its own name ends with: a weak guess. The image is not
// known, so neither are its ports nor its data directories.
func (c *Classification) guessFromWords(kb *KnowledgeBase, svc *Service) {
	id, cat, detail := wordsEntry(kb, svc)
	if cat == "" {
		return
	}
	kind := "name"
	if strings.Contains(detail, "of the image name") {
		kind = "image-words"
	}
	c.Evidence = append(c.Evidence, Evidence{Kind: kind, Detail: detail})
	c.Category, c.DecidedBy, c.Weak = cat, kind, true
	e := kb.Images[id]
	if cat != e.Category {
		// A tool of the database the words name ("redis-ui"), not it.
		return
	}
	c.Kind, c.Family, c.Display = id, e.Family, displayOf(e, id)
	if cat == "database" {
		// The data directories of what the words name are where such a
		// database keeps its data unless its image moved them: the data
		// rules judge them, as warnings. Its ports are not: an unknown
		// image (a cluster, a fork) listens where it was built to.
		c.KeepsData = e.keepsData()
		for k, v := range e.PortNames {
			c.PortNames[k] = v
		}
		c.DataDirs = append(c.DataDirs, e.DataDirs...)
	}
}

// applyServer applies what the command and environment say about the
// server: a database keeps no data (a router, a sentinel, in-memory
// flags); it (or a UI, an exporter) listens on another port; it keeps its
// data elsewhere.
func (c *Classification) applyServer(entry ImageEntry, prog programs, env map[string]string) {
	flags := normalizeFlags(prog.serverArgs())
	if c.Category == "database" && prog.router == "" && anyFlag(flags, entry.RouterFlags) {
		c.KeepsData = false
		c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: "runs as a sentinel or router: it keeps no data"})
	}
	if prog.router != "" {
		c.KeepsData = false
	}
	if m := entry.InMemory; m != nil && c.KeepsData && anyFlagMatch(flags, m.When) && !anyFlagMatch(flags, m.Unless) {
		c.KeepsData = false
		c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: "keeps its data in memory only (" + strings.Join(matching(flags, m.When), " ") + ")"})
	}
	// Flags win over the environment, as the servers read them.
	ports := map[string]int{}
	var listenEnv []string
	// Keys in order: the evidence reads the same on every run.
	for _, name := range slices.Sorted(maps.Keys(entry.PortEnv)) {
		if n, ok := portOf(env[name]); ok {
			ports[entry.PortEnv[name]] = n
			listenEnv = append(listenEnv, name)
			c.Evidence = append(c.Evidence, Evidence{Kind: "environment", Detail: fmt.Sprintf("%s=%d sets the listen port", name, n)})
		}
	}
	for _, spec := range slices.Sorted(maps.Keys(entry.PortFlags)) {
		for _, f := range flags {
			if v, ok := strings.CutPrefix(f, spec); ok {
				if n, ok := portOf(v); ok {
					ports[entry.PortFlags[spec]] = n
					c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("%s sets the listen port", displayFlag(f))})
				}
			}
		}
	}
	for role, n := range ports {
		c.setPort(role, n)
	}
	var dirs []string
	for _, name := range entry.DataEnv {
		if v := strings.TrimRight(env[name], "/"); strings.HasPrefix(v, "/") {
			dirs = append(dirs, v)
			c.Evidence = append(c.Evidence, Evidence{Kind: "environment", Detail: fmt.Sprintf("%s=%s sets the data directory", name, v)})
		}
	}
	var flagDirs []string
	for _, spec := range entry.DataFlags {
		for _, f := range flags {
			if v, ok := strings.CutPrefix(f, spec); ok && strings.HasPrefix(v, "/") {
				flagDirs = append(flagDirs, strings.TrimRight(v, "/"))
				c.Evidence = append(c.Evidence, Evidence{Kind: "command", Detail: fmt.Sprintf("%s sets the data directory", displayFlag(f))})
			}
		}
	}
	if len(flagDirs) > 0 {
		dirs = flagDirs
	}
	if len(dirs) > 0 {
		c.DataDirs = dirs
	}
	c.ListenEnv = append(c.ListenEnv, listenEnv...)
}

// setPort makes n the port of role: the port the entry documents for that
// role is replaced.
func (c *Classification) setPort(role string, n int) {
	var kept []int
	for _, p := range c.Ports {
		if c.PortNames[strconv.Itoa(p)] == role {
			delete(c.PortNames, strconv.Itoa(p))
			continue
		}
		kept = append(kept, p)
	}
	c.Ports = append(kept, n)
	c.PortNames[strconv.Itoa(n)] = role
}

// portOf reads a port from a flag or variable value: "5433",
// "0.0.0.0:7676", ":7676".
func portOf(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if i := strings.LastIndex(v, ":"); i >= 0 {
		v = v[i+1:]
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0 && n <= 65535
}

func displayOf(e ImageEntry, id string) string {
	if e.Display != "" {
		return e.Display
	}
	return id
}

// basis says what decided the category, for the messages of findings.
func basis(c Classification, svc *Service) string {
	for _, e := range c.Evidence {
		if e.Kind == c.DecidedBy {
			return e.Detail
		}
	}
	if svc.ImageRepo != "" {
		return fmt.Sprintf("unknown image %s, and no database word ends its name or the service's", svc.ImageRepo)
	}
	return "no image, and no database word ends its name"
}

// --- Commands ----------------------------------------------------------------

// programs is what a service's command runs, as far as the knowledge base
// can tell.
type programs struct {
	// server is the first database server the command runs.
	server *serverRun
	// defaultServer: the command runs the image's own server (no command,
	// flags only, or the image's entrypoint with flags).
	defaultServer bool
	defaultArgs   []string
	router        string // executable
	routerID      string
	client        string // executable
}

type serverRun struct {
	id, exe string
	args    []string
}

// serverArgs are the arguments of the server the command runs.
func (p programs) serverArgs() []string {
	if p.server != nil {
		return p.server.args
	}
	return p.defaultArgs
}

// shells run a script given with -c.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "ksh": true}

// wrappers run the rest of their command line; the value is how many
// arguments of their own they take.
var wrappers = map[string]int{"exec": 0, "tini": 0, "dumb-init": 0, "nohup": 0, "nice": 0, "time": 0,
	"gosu": 1, "su-exec": 1, "chroot": 1, "--": 0, "env": 0, "sudo": 0}

// entrypoints are the images' own entrypoint scripts: with flags they run
// the image's server, with a program they run that program.
var entrypoints = map[string]bool{"docker-entrypoint.sh": true, "docker-entrypoint": true, "entrypoint.sh": true,
	"/entrypoint.sh": true, "run.sh": true}

// readPrograms finds the servers, routers and clients a command runs.
func readPrograms(kb *KnowledgeBase, cmd commandFacts) programs {
	var p programs
	argv := cmd.command
	if cmd.hasEntrypoint {
		argv = append(append([]string{}, cmd.entrypoint...), cmd.command...)
	}
	if len(argv) == 0 {
		p.defaultServer = true
		return p
	}
	var commands [][]string
	first := unwrap(argv)
	if len(first) > 0 && shells[baseName(first[0])] {
		if script, ok := shellScript(first[1:]); ok {
			for _, c := range shellCommands(script) {
				commands = append(commands, unwrap(c))
			}
		}
	} else {
		commands = [][]string{first}
	}
	for _, c := range commands {
		if len(c) == 0 {
			continue
		}
		exe := baseName(c[0])
		if entrypoints[exe] || entrypoints[c[0]] {
			c = unwrap(c[1:])
			if len(c) == 0 || strings.HasPrefix(c[0], "-") {
				p.defaultServer, p.defaultArgs = true, c
				continue
			}
			exe = baseName(c[0])
		}
		if strings.HasPrefix(c[0], "-") && !cmd.hasEntrypoint {
			// Flags to the image's own entrypoint, which runs its server.
			p.defaultServer, p.defaultArgs = true, c
			continue
		}
		if id, ok := kb.servers[exe]; ok && p.server == nil {
			p.server = &serverRun{id: id, exe: exe, args: c[1:]}
		}
		if id, ok := kb.routers[exe]; ok && p.router == "" {
			p.router, p.routerID = exe, id
		}
		if _, ok := kb.clients[exe]; ok && p.client == "" {
			p.client = exe
		}
	}
	return p
}

// unwrap drops wrappers (exec, tini, gosu user, env VAR=x) and variable
// assignments from the front of a command.
func unwrap(c []string) []string {
	for len(c) > 0 {
		w := c[0]
		if n, ok := wrappers[baseName(w)]; ok {
			c = c[min(1+n, len(c)):]
			continue
		}
		if i := strings.Index(w, "="); i > 0 && !strings.HasPrefix(w, "-") && isName(w[:i]) {
			c = c[1:]
			continue
		}
		break
	}
	return c
}

func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// shellScript is the script a shell's arguments give with -c (or -ec,
// -euc, ...).
func shellScript(args []string) (string, bool) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			return "", false
		}
		if strings.Contains(a, "c") && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// baseName is the program a word runs: "/usr/local/bin/pageserver" and
// "./qdrant" run pageserver and qdrant.
func baseName(w string) string {
	return path.Base(strings.TrimPrefix(w, "./"))
}

// shellCommands splits a shell script into its simple commands, each a
// list of words without their quotes: close enough to a shell to see which
// programs it runs. ; & | && || newlines, ( ) and backquotes separate
// commands; a command substitution inside double quotes stays in its word.
func shellCommands(s string) [][]string {
	var out [][]string
	var cmd []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			cmd = append(cmd, word.String())
		}
		word.Reset()
		inWord = false
	}
	endCmd := func() {
		endWord()
		if len(cmd) > 0 {
			out = append(out, cmd)
		}
		cmd = nil
	}
	var single, double bool
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case single:
			if ch == '\'' {
				single = false
			} else {
				word.WriteByte(ch)
			}
		case double:
			switch ch {
			case '"':
				double = false
			case '\\':
				if i+1 < len(s) {
					i++
					word.WriteByte(s[i])
				}
			default:
				word.WriteByte(ch)
			}
		case ch == '\'':
			single, inWord = true, true
		case ch == '"':
			double, inWord = true, true
		case ch == '\\':
			if i+1 < len(s) && s[i+1] != '\n' {
				i++
				word.WriteByte(s[i])
				inWord = true
			} else {
				i++
			}
		case ch == ' ' || ch == '\t' || ch == '\r':
			endWord()
		case ch == '\n' || ch == ';' || ch == '&' || ch == '|' || ch == '(' || ch == ')' || ch == '`':
			endCmd()
		case ch == '$' && i+1 < len(s) && s[i+1] == '(':
			endCmd()
			i++
		default:
			word.WriteByte(ch)
			inWord = true
		}
	}
	endCmd()
	// Shell keywords start a command but are not programs.
	for i, c := range out {
		for len(c) > 0 && shellKeywords[c[0]] {
			c = c[1:]
		}
		out[i] = c
	}
	return out
}

var shellKeywords = map[string]bool{"then": true, "do": true, "else": true, "elif": true, "if": true,
	"while": true, "until": true, "!": true, "{": true, "}": true}

// splitCommandString splits a command written as a string the way docker
// compose does (shell words, up to the first operator).
func splitCommandString(s string) []string {
	cmds := shellCommands(s)
	if len(cmds) == 0 {
		return []string{}
	}
	return cmds[0]
}

// normalizeFlags writes a server's arguments as --name=value: "--port
// 7000", "--port=7000" and "-p 7000" become "--port=7000" and "-p=7000",
// "--save ”" becomes "--save=", a flag without value "--sentinel=". An
// argument holding spaces ("--maxmemory-policy allkeys-lru", as list items
// are often written) is split first.
func normalizeFlags(args []string) []string {
	var words []string
	for _, a := range args {
		if strings.ContainsAny(a, " \t") && strings.HasPrefix(a, "-") {
			words = append(words, strings.Fields(a)...)
			continue
		}
		words = append(words, a)
	}
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || w == "-" {
			continue
		}
		if strings.Contains(w, "=") {
			out = append(out, w)
			continue
		}
		if i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") {
			out = append(out, w+"="+words[i+1])
			i++
			continue
		}
		out = append(out, w+"=")
	}
	return out
}

func anyFlag(flags, names []string) bool {
	for _, n := range names {
		for _, f := range flags {
			if f == n || strings.HasPrefix(f, n+"=") {
				return true
			}
		}
	}
	return false
}

func anyFlagMatch(flags, patterns []string) bool { return len(matching(flags, patterns)) > 0 }

// matching are the flags that match one of the glob patterns.
func matching(flags, patterns []string) []string {
	var out []string
	for _, f := range flags {
		for _, p := range patterns {
			if ok, _ := path.Match(p, f); ok {
				out = append(out, displayFlag(f))
				break
			}
		}
	}
	return out
}

// displayFlag writes a normalized flag back as it reads: "--save=" is
// --save "".
func displayFlag(f string) string {
	if strings.HasSuffix(f, "=") {
		return strings.TrimSuffix(f, "=") + ` ""`
	}
	return strings.Replace(f, "=", " ", 1)
}
