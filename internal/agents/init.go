package agents

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/osfile"
)

// Step is what Init did, or left alone, for one file.
type Step struct {
	Path string // under the root given to Init
	// Did is one of wrote, overwrote, added (the server entry to an
	// existing .mcp.json), replaced (its portguard entry), unchanged,
	// kept (exists and differs; force changes it).
	Did string
}

func (s Step) String() string {
	switch s.Did {
	case "added":
		return "added the portguard server to " + s.Path
	case "replaced":
		return "replaced the portguard server in " + s.Path
	case "unchanged":
		return "unchanged " + s.Path
	case "kept":
		if filepath.Base(s.Path) == MCPConfigPath {
			return "kept " + s.Path + ": its portguard server differs (--force replaces it; the other servers stay)"
		}
		return "kept " + s.Path + ": it exists and differs (--force overwrites it)"
	}
	return s.Did + " " + s.Path
}

// Changed says the step wrote the file.
func (s Step) Changed() bool { return s.Did != "unchanged" && s.Did != "kept" }

// Init writes the agent and command files under root and merges the server
// entry into root/.mcp.json. A file that exists and differs is kept unless
// force. Everything is read first, so a broken .mcp.json stops Init before
// it writes anything; each file is written atomically, a rewritten one
// keeping its permissions.
func Init(root string, force bool) ([]Step, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, osfile.Reason(err))
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", root)
	}
	type write struct {
		data []byte
		mode fs.FileMode
	}
	var steps []Step
	writes := map[string]write{}
	for _, f := range Files() {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		have, mode, err := readExisting(p)
		switch {
		case err != nil:
			return nil, err
		case have == nil:
			steps = append(steps, Step{p, "wrote"})
		case bytes.Equal(have, f.Data):
			steps = append(steps, Step{p, "unchanged"})
			continue
		case force:
			steps = append(steps, Step{p, "overwrote"})
		default:
			steps = append(steps, Step{p, "kept"})
			continue
		}
		writes[p] = write{f.Data, mode}
	}
	p := filepath.Join(root, MCPConfigPath)
	old, mode, err := readExisting(p)
	if err != nil {
		return nil, err
	}
	merged, outcome, err := MergeMCPConfig(old, force)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", p, err)
	}
	did := outcome
	if outcome == Added && old == nil {
		did = "wrote"
	}
	steps = append(steps, Step{p, did})
	if outcome == Added || outcome == Replaced {
		writes[p] = write{merged, mode}
	}
	for _, s := range steps {
		w, ok := writes[s.Path]
		if !ok {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
			return nil, fmt.Errorf("cannot create %s: %w", filepath.Dir(s.Path), osfile.Reason(err))
		}
		if err := atomicfile.WriteFile(s.Path, w.data, w.mode); err != nil {
			return nil, fmt.Errorf("cannot write %s: %w", s.Path, osfile.Reason(err))
		}
	}
	return steps, nil
}

// readExisting reads a file that may not exist (nil, no error), with the
// permissions a rewrite keeps.
func readExisting(p string) ([]byte, fs.FileMode, error) {
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0o644, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", p, osfile.Reason(err))
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s: not a regular file", p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", p, osfile.Reason(err))
	}
	return b, st.Mode().Perm(), nil
}
