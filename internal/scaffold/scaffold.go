// Package scaffold holds the files `portguard init` writes into a
// repository: a .portguard.yaml with every key at its default, an example
// custom rule with its Rego unit test, a GitHub Actions workflow that keeps
// the team's rules formatted and tested, and the pre-commit hooks that do
// the same before a commit.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed all:files
var files embed.FS

// preCommitEntry is the item of a .pre-commit-config.yaml repos: list that
// runs portguard fmt --check and portguard verify on the policy directory,
// written with its dash at column 2.
//
//go:embed precommit.yaml
var preCommitEntry string

// File is one file to write, at Path relative to the repository root
// (slash-separated).
type File struct {
	Path string
	Data []byte
}

// PolicyDir is the directory of the example rule, for `--policy`.
const PolicyDir = "policy"

// PreCommitConfig is pre-commit's configuration file, at the repository
// root.
const PreCommitConfig = ".pre-commit-config.yaml"

// releaseRE matches the version of a released binary.
var releaseRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// Files returns the scaffold, sorted by path. A released version (v1.2.3)
// is pinned in the workflow's go install instead of @latest.
func Files(version string) []File {
	var out []File
	// The tree is embedded: walking it cannot fail.
	_ = fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(p, "files/.github/") && releaseRE.MatchString(version) {
			data = bytes.ReplaceAll(data, []byte("/cmd/portguard@latest"), []byte("/cmd/portguard@"+version))
		}
		out = append(out, File{Path: p[len("files/"):], Data: data})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// PreCommitEntry is the entry MergePreCommit adds, for a reader who adds
// it by hand.
func PreCommitEntry() string { return preCommitEntry }

// preCommitIDs are the ids of the hooks of the entry.
var preCommitIDs = []string{"portguard-fmt", "portguard-verify"}

// Outcomes of MergePreCommit.
const (
	Wrote     = "wrote"     // there was no file: it holds the entry alone
	Added     = "added"     // the entry is appended to the repos: list
	Unchanged = "unchanged" // a hook of the entry is already there
)

// MergePreCommit adds the portguard hooks to the .pre-commit-config.yaml
// text old (nil: no file yet) as the last item of its repos: list, and
// returns the new text and what happened. Every other line stays as it is
// written; the result is checked to hold the same configuration plus the
// entry. A file that already has a hook of the entry is left alone. A file
// that is not YAML, or whose repos: is not a block list, is an error that
// names its line: it is edited by hand (PreCommitEntry).
func MergePreCommit(old []byte) ([]byte, string, error) {
	if len(bytes.TrimSpace(old)) == 0 {
		return []byte("repos:\n" + preCommitEntry), Wrote, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(old, &doc); err != nil {
		return nil, "", fmt.Errorf("not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, "", fmt.Errorf("not a pre-commit configuration: the top level is not a mapping")
	}
	root := doc.Content[0]
	// lines[i] is line i+1 with its line ending.
	text := string(old)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	lines := strings.SplitAfter(text, "\n")
	lines = lines[:len(lines)-1]
	entry := preCommitEntry
	nl := "\n"
	if strings.Contains(text, "\r\n") {
		entry, nl = strings.ReplaceAll(entry, "\n", "\r\n"), "\r\n"
	}
	var out string
	for i := 0; i < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if key.Value != "repos" {
			continue
		}
		if value.Kind != yaml.SequenceNode {
			return nil, "", fmt.Errorf("line %d: repos is not a list", value.Line)
		}
		if hasHook(value) {
			return old, Unchanged, nil
		}
		if value.Style&yaml.FlowStyle != 0 {
			if len(value.Content) > 0 {
				return nil, "", fmt.Errorf("line %d: repos is written as a [flow, list]: add the portguard entry by hand", value.Line)
			}
			// repos: [] becomes repos: followed by the entry.
			l := lines[value.Line-1]
			at := value.Column - 1
			if !strings.HasPrefix(l[at:], "[]") {
				return nil, "", fmt.Errorf("line %d: repos is written as a [flow, list]: add the portguard entry by hand", value.Line)
			}
			lines[value.Line-1] = strings.TrimRight(l[:at], " ") + l[at+2:]
			out = insertLines(lines, value.Line, entry)
			break
		}
		// After the list: before the next top-level key and the blank or
		// comment lines that lead to it, or at the end of the file.
		end := len(lines)
		if i+2 < len(root.Content) {
			end = root.Content[i+2].Line - 1
			for end > 0 && (strings.TrimSpace(lines[end-1]) == "" || strings.HasPrefix(lines[end-1], "#")) {
				end--
			}
		}
		out = insertLines(lines, end, indentEntry(lines, value, entry))
	}
	if out == "" {
		out = strings.Join(lines, "") + "repos:" + nl + entry
	}
	if err := sameWithEntry(old, []byte(out)); err != nil {
		return nil, "", err
	}
	return []byte(out), Added, nil
}

// hasHook reports whether a repos list holds a hook of the entry.
func hasHook(repos *yaml.Node) bool {
	var list []struct {
		Hooks []struct {
			ID string `yaml:"id"`
		} `yaml:"hooks"`
	}
	if repos.Decode(&list) != nil {
		return false
	}
	for _, r := range list {
		for _, h := range r.Hooks {
			for _, id := range preCommitIDs {
				if h.ID == id {
					return true
				}
			}
		}
	}
	return false
}

// indentEntry writes the entry with its dash where the list's items have
// theirs.
func indentEntry(lines []string, repos *yaml.Node, entry string) string {
	dash := 2
	if len(repos.Content) > 0 {
		first := repos.Content[0]
		l := lines[first.Line-1]
		if i := strings.LastIndex(l[:min(first.Column-1, len(l))], "-"); i >= 0 {
			dash = i
		}
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(entry, "\n") {
		if l == "" {
			continue
		}
		b.WriteString(strings.Repeat(" ", dash) + strings.TrimPrefix(l, "  "))
	}
	return b.String()
}

func insertLines(lines []string, after int, text string) string {
	return strings.Join(lines[:after], "") + text + strings.Join(lines[after:], "")
}

// sameWithEntry checks that updated is old with the entry appended to its
// repos list, and nothing else changed.
func sameWithEntry(old, updated []byte) error {
	var before, after map[string]any
	var entry []any
	if err := yaml.Unmarshal(old, &before); err != nil {
		return err
	}
	if err := yaml.Unmarshal(updated, &after); err != nil {
		return fmt.Errorf("adding the portguard entry would break the file (%v): add it by hand", err)
	}
	if err := yaml.Unmarshal([]byte(preCommitEntry), &entry); err != nil {
		return err
	}
	repos, _ := before["repos"].([]any)
	want := map[string]any{}
	for k, v := range before {
		want[k] = v
	}
	want["repos"] = append(repos, entry...)
	if !reflect.DeepEqual(after, want) {
		return fmt.Errorf("the portguard entry cannot be added without changing the rest of the file: add it by hand")
	}
	return nil
}
