package input

import (
	"bufio"
	"encoding/json"
	"os"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/portguard/portguard/policies"
)

func testKB(t *testing.T) *KnowledgeBase {
	t.Helper()
	kb, err := BuiltinKnowledgeBase()
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// classifyImage classifies a service that says nothing but its name and
// image.
func classifyImage(kb *KnowledgeBase, name, image string) Classification {
	repo, imageName := normalizeImage(image)
	svc := &Service{Name: name, Tokens: tokens(name), Image: image, ImageRepo: repo, ImageName: imageName,
		ImageTokens: tokens(imageName), Labels: map[string]string{}, XPortguard: map[string]any{}}
	if image == "" {
		svc.ImageRepo, svc.ImageName, svc.ImageTokens = "", "", nil
	}
	return classify(kb, nil, svc, commandFacts{}, nil)
}

var categories = map[string]bool{"database": true, "ui": true, "exporter": true, "job": true, "other": true}

// TestKnowledgeBaseEntries checks every entry of the built-in knowledge
// base: its shape, and that its repositories, names and examples are
// classified as it.
func TestKnowledgeBaseEntries(t *testing.T) {
	kb := testKB(t)
	claimed := map[string]string{}
	for _, id := range kb.ids {
		e := kb.Images[id]
		t.Run(id, func(t *testing.T) {
			checkEntryShape(t, e)
			checkEntryClassified(t, kb, id, e, claimed)
		})
	}
}

// checkEntryShape checks the fields of a knowledge base entry.
func checkEntryShape(t *testing.T, e ImageEntry) {
	t.Helper()
	if !categories[e.Category] {
		t.Errorf("category %q", e.Category)
	}
	if e.Display == "" {
		t.Error("no display name")
	}
	roles := map[string]bool{"": true}
	for _, p := range e.Ports {
		role, ok := e.PortNames[strconv.Itoa(p)]
		if !ok {
			t.Errorf("port %d has no entry in port_names", p)
		}
		roles[role] = true
	}
	if len(e.PortNames) != len(e.Ports) {
		t.Errorf("port_names %v do not match ports %v", e.PortNames, e.Ports)
	}
	for name, role := range e.PortEnv {
		if !roles[role] {
			t.Errorf("port_env %s sets the port of role %q, which no port has", name, role)
		}
	}
	for flag, role := range e.PortFlags {
		if !roles[role] || !strings.HasSuffix(flag, "=") {
			t.Errorf("port_flags %q: role %q must be a port's, and the flag end in =", flag, role)
		}
	}
	for _, f := range e.DataFlags {
		if !strings.HasSuffix(f, "=") {
			t.Errorf("data_flags %q must end in =", f)
		}
	}
	for i, d := range e.DataDirs {
		if !strings.HasPrefix(d, "/") || strings.HasSuffix(d, "/") {
			t.Errorf("data dir %q is not an absolute path without a final /", d)
		}
		if i == 0 && strings.ContainsAny(d, "*?[") {
			t.Errorf("the first data dir %q is named in messages: it must not be a glob", d)
		}
	}
	if e.Category != "database" && e.KeepsData != nil && *e.KeepsData {
		t.Errorf("keeps_data: only a database keeps data")
	}
}

// checkEntryClassified checks that the repositories, names and examples
// of an entry are classified as it, and that no other entry claims its
// repositories and names (claimed: by "repo r" and "name n").
func checkEntryClassified(t *testing.T, kb *KnowledgeBase, id string, e ImageEntry, claimed map[string]string) {
	t.Helper()
	for _, r := range e.Repos {
		if r != strings.ToLower(r) || strings.Contains(r, ":") || strings.ContainsAny(strings.Split(r, "/")[0], ".") {
			t.Errorf("repo %q: lowercase, without registry host or tag", r)
		}
		if other, dup := claimed["repo "+r]; dup && other != id {
			t.Errorf("repo %q is also %s's", r, other)
		}
		claimed["repo "+r] = id
		if c := classifyImage(kb, "svc", r+":1.0"); c.Kind != id || c.Category != e.Category || c.DecidedBy != "image" {
			t.Errorf("image %s:1.0 is classified %s/%s by %s", r, c.Kind, c.Category, c.DecidedBy)
		}
	}
	for _, n := range e.Names {
		key := strings.Join(tokens(n), "-")
		if other, dup := claimed["name "+key]; dup && other != id {
			t.Errorf("name %q is also %s's", n, other)
		}
		claimed["name "+key] = id
		if e.Generic {
			if c := classifyImage(kb, "svc", "acme/"+n); c.DecidedBy == "image" {
				t.Errorf("generic name %q is taken as an image name", n)
			}
			continue
		}
		if c := classifyImage(kb, "svc", "registry.example.com/acme/"+n+":2"); c.Kind != id || c.DecidedBy != "image" {
			t.Errorf("image acme/%s is classified %s by %s", n, c.Kind, c.DecidedBy)
		}
	}
	for _, p := range e.Patterns {
		if _, err := path.Match(p, ""); err != nil {
			t.Errorf("pattern %q: %v", p, err)
		}
	}
	if len(e.Patterns) > 0 && len(e.Examples) == 0 {
		t.Error("an entry with patterns gives examples of the images they are for")
	}
	for _, x := range e.Examples {
		if c := classifyImage(kb, "svc", x); c.Kind != id || c.Category != e.Category {
			t.Errorf("example %s is classified %s/%s by %s", x, c.Kind, c.Category, c.DecidedBy)
		}
	}
}

// TestKnowledgeBaseImages reads testdata/images.tsv, written by hand: one
// image reference as compose files write it per entry of the knowledge
// base, with the entry and category it must be classified as. Every entry
// has a line, so adding an entry means adding its test.
func TestKnowledgeBaseImages(t *testing.T) {
	kb := testKB(t)
	f, err := os.Open("testdata/images.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tested := map[string]bool{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Fields(text)
		if len(cols) != 3 {
			t.Fatalf("images.tsv:%d: want image, entry, category", line)
		}
		image, id, category := cols[0], cols[1], cols[2]
		tested[id] = true
		c := classifyImage(kb, "svc", image)
		if c.Kind != id || c.Category != category || c.Weak {
			t.Errorf("images.tsv:%d: %s is classified %q/%q by %s (weak %v), want %s/%s", line, image, c.Kind, c.Category, c.DecidedBy, c.Weak, id, category)
		}
	}
	var missing []string
	for _, id := range kb.ids {
		if !tested[id] && !kb.Images[id].Generic {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("entries without a line in testdata/images.tsv: %s", strings.Join(missing, " "))
	}
}

// An image a --data file adds is classified like a built-in one.
func TestKnowledgeBaseFromData(t *testing.T) {
	kb, err := NewKnowledgeBase(map[string]any{
		"ledger": map[string]any{"category": "database", "repos": []any{"acme/ledger"}, "ports": []any{9000.0},
			"port_names": map[string]any{"9000": ""}, "data_dirs": []any{"/var/lib/ledger"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := classifyImage(kb, "books", "acme/ledger:3")
	if c.Category != "database" || c.Kind != "ledger" || len(c.Ports) != 1 || c.Ports[0] != 9000 || c.DataDirs[0] != "/var/lib/ledger" || !c.KeepsData {
		t.Errorf("got %+v", c)
	}
	if _, err := NewKnowledgeBase(map[string]any{"x": map[string]any{"ports": []any{1.0}}}); err == nil || !strings.Contains(err.Error(), "no category") {
		t.Errorf("an entry without category: %v", err)
	}
	if _, err := NewKnowledgeBase(map[string]any{"x": map[string]any{"category": "other", "ports": "5432"}}); err == nil {
		t.Error("ports as a string is accepted")
	}
}

// TestBuiltinKnowledgeBaseAsData: the built-in file, decoded straight into
// its entries, gives the knowledge base that the same entries give when
// they come as data (NewKnowledgeBase, the path of --data files).
func TestBuiltinKnowledgeBaseAsData(t *testing.T) {
	builtin, err := BuiltinKnowledgeBase()
	if err != nil {
		t.Fatal(err)
	}
	b, err := policies.FS.ReadFile("data/images.json")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Images map[string]any `json:"images"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	asData, err := NewKnowledgeBase(data.Images)
	if err != nil {
		t.Fatal(err)
	}
	if len(builtin.Images) < 50 || !reflect.DeepEqual(builtin, asData) {
		t.Errorf("the built-in knowledge base (%d entries) differs from the same entries as data (%d)", len(builtin.Images), len(asData.Images))
	}
}
