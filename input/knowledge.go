package input

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/portguard/portguard/policies"
)

// KnowledgeBase is the image knowledge base (policies/data/images.json, with
// the --data files merged over it): what portguard knows about the images
// people run in compose. Classification reads it; the policies read the
// classification, never the raw knowledge base, so each service is
// classified once.
type KnowledgeBase struct {
	// Images are the entries by id.
	Images map[string]ImageEntry

	ids    []string          // sorted, so pattern matches do not depend on map order
	byRepo map[string]string // image repository -> id
	byName map[string]string // image or service name, its words joined by "-" -> id
	// imageNames are the names of product entries, matched exactly against
	// an image's name (generic words are not).
	imageNames map[string]string
	servers    map[string]string // executable -> id of the entry whose server it runs
	clients    map[string]string
	routers    map[string]string
	// envNames are the environment variables any entry reads: only their
	// values are kept while a service is classified.
	envNames map[string]bool
}

// ImageEntry is one entry of the knowledge base. Only category is
// required; every other field may be left out.
type ImageEntry struct {
	// Category is database, ui, exporter, job or other (or a category a
	// platform team adds with its own range).
	Category string `json:"category"`
	// Family groups entries of one service type (Postgres and TimescaleDB).
	Family  string `json:"family"`
	Display string `json:"display"`
	// Repos are image repositories matched exactly (without registry host,
	// library/, tag or digest); Names are image names (the repository's
	// last component) matched exactly, and the words a service's or an
	// image's name ends with (a weak guess); Patterns are globs matched
	// against the repository and the image name, for families of images
	// (applications whose image names end in a database word).
	Repos    []string `json:"repos"`
	Names    []string `json:"names"`
	Patterns []string `json:"patterns"`
	// Ports are the container ports the image listens on (every documented
	// port); PortNames names the role of each ("" for the main port).
	Ports     []int             `json:"ports"`
	PortNames map[string]string `json:"port_names"`
	// DataDirs are the directories where a database keeps its data.
	DataDirs []string `json:"data_dirs"`
	// KeepsData is false for a database that keeps nothing on disk (a
	// pooler, a router, an in-memory store). Default: true for a
	// database.
	KeepsData *bool `json:"keeps_data"`
	// Servers, Clients and Routers are executables: a service whose command
	// runs a server is this database (even on an unknown image); one that
	// runs only a client is a job; one that runs a router or sentinel is a
	// database that keeps no data.
	Servers []string `json:"servers"`
	Clients []string `json:"clients"`
	Routers []string `json:"routers"`
	// RouterFlags make the server a router or sentinel ("--sentinel").
	RouterFlags []string `json:"router_flags"`
	// PortEnv are the environment variables that set a listen port and
	// PortFlags the server's flags that do, each mapped to the role of the
	// port it sets ("" for the main port, else a role of PortNames). A flag
	// is written as the server's arguments read once normalized:
	// "--port=", "-p=", "-c=port=" (postgres -c port=5433),
	// "--listen-pg=" (its value may be host:port). DataEnv and DataFlags
	// set the data directory the same way ("PGDATA", "--datadir=", "-D=").
	PortEnv   map[string]string `json:"port_env"`
	PortFlags map[string]string `json:"port_flags"`
	DataEnv   []string          `json:"data_env"`
	DataFlags []string          `json:"data_flags"`
	// Generic marks an entry of a word, not a product ("db", "exporter"):
	// its names are matched only at the end of a name, as a weak guess,
	// never as an image name.
	Generic bool `json:"generic"`
	// Examples are image references its patterns are written for; a test
	// checks that each one is classified as this entry.
	Examples []string `json:"examples"`
	// InMemory says when the server keeps no data: when one of the When
	// flags is given and none of the Unless flags ("--save=" and not
	// "--appendonly=yes"); flags are written --name=value, values globs.
	InMemory *InMemoryFlags `json:"in_memory"`
}

// InMemoryFlags are the flags that make a database server keep no data.
type InMemoryFlags struct {
	When   []string `json:"when"`
	Unless []string `json:"unless"`
}

// keepsData is the entry's default: a database keeps data unless it says
// it does not.
func (e ImageEntry) keepsData() bool {
	if e.KeepsData != nil {
		return *e.KeepsData
	}
	return e.Category == "database"
}

var (
	builtinOnce sync.Once
	builtinKB   *KnowledgeBase
	builtinErr  error
)

// BuiltinKnowledgeBase is the embedded knowledge base
// (policies/data/images.json), parsed once per process.
func BuiltinKnowledgeBase() (*KnowledgeBase, error) {
	builtinOnce.Do(func() {
		// Decoded straight into the entries: the built-in file is the
		// start of every run, and the round trip of NewKnowledgeBase
		// (through map[string]any, for data the engine merged) took
		// several milliseconds of it.
		var data struct {
			Images map[string]ImageEntry `json:"images"`
		}
		b, err := policies.FS.ReadFile("data/images.json")
		if err == nil {
			err = json.Unmarshal(b, &data)
		}
		if err != nil {
			builtinErr = fmt.Errorf("policies/data/images.json: %w", err)
			return
		}
		builtinKB, builtinErr = newKnowledgeBase(data.Images)
	})
	return builtinKB, builtinErr
}

// NewKnowledgeBase reads the knowledge base from data.portguard.images as
// the engine mounts it (the built-in entries with the --data files merged
// over them).
func NewKnowledgeBase(images map[string]any) (*KnowledgeBase, error) {
	entries := make(map[string]ImageEntry, len(images))
	for id, raw := range images {
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, fmt.Errorf("data.portguard.images.%s: %w", id, err)
		}
		var e ImageEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("data.portguard.images.%s: %w", id, err)
		}
		entries[id] = e
	}
	return newKnowledgeBase(entries)
}

// newKnowledgeBase checks and indexes the entries, by id.
func newKnowledgeBase(entries map[string]ImageEntry) (*KnowledgeBase, error) {
	kb := &KnowledgeBase{Images: map[string]ImageEntry{}, byRepo: map[string]string{}, byName: map[string]string{}, imageNames: map[string]string{},
		servers: map[string]string{}, clients: map[string]string{}, routers: map[string]string{}, envNames: map[string]bool{}}
	for id, e := range entries {
		if e.Category == "" {
			return nil, fmt.Errorf("data.portguard.images.%s: the entry has no category", id)
		}
		for _, p := range e.Patterns {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("data.portguard.images.%s: pattern %q: %w", id, p, err)
			}
		}
		kb.Images[id] = e
		kb.ids = append(kb.ids, id)
	}
	sort.Strings(kb.ids)
	// Entries are indexed in id order: a repository or name claimed twice
	// goes to the first id (a test keeps the built-in ones unique).
	for _, id := range kb.ids {
		e := kb.Images[id]
		for _, r := range e.Repos {
			setOnce(kb.byRepo, strings.ToLower(r), id)
		}
		for _, n := range e.Names {
			setOnce(kb.byName, strings.Join(tokens(n), "-"), id)
			if !e.Generic {
				setOnce(kb.imageNames, strings.Join(tokens(n), "-"), id)
			}
		}
		for _, x := range e.Servers {
			setOnce(kb.servers, x, id)
		}
		for _, x := range e.Clients {
			setOnce(kb.clients, x, id)
		}
		for _, x := range e.Routers {
			setOnce(kb.routers, x, id)
		}
		for v := range e.PortEnv {
			kb.envNames[v] = true
		}
		for _, v := range e.DataEnv {
			kb.envNames[v] = true
		}
	}
	return kb, nil
}

func setOnce(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// byPattern is the first entry (in id order) with a pattern matching the
// image repository or the image name.
func (kb *KnowledgeBase) byPattern(repo, name string) (id, pattern string) {
	for _, id := range kb.ids {
		for _, p := range kb.Images[id].Patterns {
			if ok, _ := path.Match(p, repo); ok {
				return id, p
			}
			if ok, _ := path.Match(p, name); ok {
				return id, p
			}
		}
	}
	return "", ""
}
