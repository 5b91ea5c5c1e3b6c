// Package agents holds the files `portguard agents init` writes: two agent
// definitions and the /protect-databases command, which call the tools of
// `portguard mcp`, and the server's entry in .mcp.json.
package agents

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed all:files
var files embed.FS

// ServerName is the key of portguard's entry under mcpServers; the agents
// name its tools mcp__<ServerName>__<tool>.
const ServerName = "portguard"

// MCPConfigPath is the project's MCP configuration, relative to the root.
const MCPConfigPath = ".mcp.json"

// CommandPath is the /protect-databases command, relative to the root.
const CommandPath = ".claude/commands/protect-databases.md"

// File is one file to write, its path relative to the repository root.
type File struct {
	Path string
	Data []byte
}

// Files are the agent and command files, in a stable order.
func Files() []File {
	var out []File
	err := fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		out = append(out, File{Path: strings.TrimPrefix(p, "files/"), Data: b})
		return err
	})
	if err != nil {
		panic(err) // the files are embedded: this cannot fail at run time
	}
	return out
}

// Workflow is the body of the /protect-databases command, for clients
// without command files (the MCP prompt), with the command's argument
// replaced by root.
func Workflow(root string) string {
	b, err := files.ReadFile(path.Join("files", CommandPath))
	if err != nil {
		panic(err)
	}
	body := string(b)
	if rest, ok := strings.CutPrefix(body, "---\n"); ok {
		if _, after, ok := strings.Cut(rest, "\n---\n"); ok {
			body = after
		}
	}
	if root == "" {
		root = "."
	}
	return strings.TrimLeft(strings.ReplaceAll(body, "$ARGUMENTS", root), "\n")
}

// ServerEntry is portguard's entry under mcpServers: the binary on PATH,
// so the file works on every machine that has portguard installed.
var ServerEntry = struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}{"portguard", []string{"mcp"}}

// Merge outcomes.
const (
	Added     = "added"     // the entry was missing and is added
	Unchanged = "unchanged" // the entry is already there, as portguard writes it
	Kept      = "kept"      // another portguard entry is there; force replaces it
	Replaced  = "replaced"  // another portguard entry was there and is replaced
)

// MergeMCPConfig adds portguard's server entry to the .mcp.json text old
// (nil: no file yet) and returns the new text and what happened. Every
// other key and server is kept, in its order and with its values as they
// were written; only the indentation is what re-encoding gives. An entry
// named portguard that differs from ours is kept unless force.
func MergeMCPConfig(old []byte, force bool) ([]byte, string, error) {
	entry, _ := json.Marshal(ServerEntry)
	if len(bytes.TrimSpace(old)) == 0 {
		top := object{{Key: "mcpServers", Value: mustObject(object{{Key: ServerName, Value: entry}})}}
		return top.encode(), Added, nil
	}
	top, err := decodeObject(old)
	if err != nil {
		return nil, "", err
	}
	servers := object{}
	i := top.index("mcpServers")
	if i >= 0 {
		if servers, err = decodeObject(top[i].Value); err != nil {
			return nil, "", fmt.Errorf("mcpServers: %w", err)
		}
	}
	outcome := Added
	if j := servers.index(ServerName); j >= 0 {
		var have, want any
		_ = json.Unmarshal(servers[j].Value, &have)
		_ = json.Unmarshal(entry, &want)
		switch {
		case jsonEqual(have, want):
			return old, Unchanged, nil
		case !force:
			return old, Kept, nil
		}
		servers[j].Value = entry
		outcome = Replaced
	} else {
		servers = append(servers, member{Key: ServerName, Value: entry})
	}
	if i >= 0 {
		top[i].Value = mustObject(servers)
	} else {
		top = append(top, member{Key: "mcpServers", Value: mustObject(servers)})
	}
	return top.encode(), outcome, nil
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// member is one key of a JSON object with its value as written.
type member struct {
	Key   string
	Value json.RawMessage
}

// object is a JSON object that keeps the order of its keys.
type object []member

func (o object) index(key string) int {
	for i, m := range o {
		if m.Key == key {
			return i
		}
	}
	return -1
}

// decodeObject reads a JSON object, keeping its keys in order and their
// values verbatim. An error names the line and column.
func decodeObject(b []byte) (object, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			i := int(se.Offset) - 1 // the offending byte
			if int(se.Offset) >= len(b) {
				i = len(b) // the text ended early
			}
			return nil, fmt.Errorf("%s: %v", at(b, i), err)
		}
		return nil, err
	}
	start := len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("%s: not a JSON object", at(b, start))
	}
	// The text is a valid object: the tokens below cannot fail.
	dec := json.NewDecoder(bytes.NewReader(b))
	_, _ = dec.Token()
	var o object
	for dec.More() {
		tok, _ := dec.Token()
		key, _ := tok.(string)
		if o.index(key) >= 0 {
			quoted, _ := json.Marshal(key)
			return nil, fmt.Errorf("%s: duplicate key %q", at(b, int(dec.InputOffset())-len(quoted)), key)
		}
		var raw json.RawMessage
		_ = dec.Decode(&raw)
		o = append(o, member{Key: key, Value: raw})
	}
	return o, nil
}

// at is the line:column of byte i of b (1-based).
func at(b []byte, i int) string {
	i = max(0, min(i, len(b)))
	before := b[:i]
	return fmt.Sprintf("%d:%d", bytes.Count(before, []byte("\n"))+1, i-bytes.LastIndexByte(before, '\n'))
}

// mustObject is the object as a value of another one.
func mustObject(o object) json.RawMessage { return bytes.TrimSpace(o.encode()) }

// encode writes the object with two-space indentation and a final newline.
func (o object) encode() []byte {
	var b bytes.Buffer
	b.WriteString("{")
	for i, m := range o {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(m.Key)
		fmt.Fprintf(&b, "\n  %s: ", k)
		var v bytes.Buffer
		if err := json.Indent(&v, m.Value, "  ", "  "); err != nil {
			v.Write(m.Value)
		}
		b.Write(v.Bytes())
	}
	if len(o) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}
