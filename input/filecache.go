package input

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
)

// fileCache holds the compose files of one run: each is read once and
// parsed once (or again after a release), whichever project asks first,
// from any goroutine.
type fileCache struct {
	root  string
	limit int64
	// lookup reads the root .env, for the unset variables of each file.
	lookup lookupFunc

	mu    sync.Mutex
	files map[string]*parsedFile // by absolute path
	// shared are the files that a project's files include or extend: their
	// trees are kept for the whole run (see release).
	shared map[string]bool
}

// parsedFile is one file of the cache: read once, and parsed once even
// when several projects ask for it at the same time.
type parsedFile struct {
	readOnce sync.Once
	data     []byte
	readErr  error
	// mayRefer is false when the file cannot include or extend another
	// (see mayRefer).
	mayRefer bool

	mu     sync.Mutex
	parsed bool
	cf     *composeFile
	err    error
}

// entry is the cache slot of a file, made when it is first asked for.
func (c *fileCache) entry(abs string) *parsedFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	pf, ok := c.files[abs]
	if !ok {
		pf = &parsedFile{}
		c.files[abs] = pf
	}
	return pf
}

// read reads a compose file once per run.
func (c *fileCache) read(abs string) *parsedFile {
	pf := c.entry(abs)
	pf.readOnce.Do(func() {
		data, err := readLimited(abs, c.limit)
		if err != nil {
			pf.readErr = InputError{File: rel(c.root, abs), Message: "cannot read: " + pathErrorReason(err)}
			return
		}
		pf.data, pf.mayRefer = data, mayRefer(data)
	})
	return pf
}

// mayRefer reports whether a file may have an include: key or an extends:
// file. A file without the bytes "include" and "extends" has neither,
// unless YAML escapes (a backslash in a double-quoted key) or UTF-16 spell
// the keys in other bytes.
func mayRefer(data []byte) bool {
	d := trimBOM(data)
	return bytes.Contains(d, []byte("include")) || bytes.Contains(d, []byte("extends")) || bytes.IndexByte(d, '\\') >= 0 ||
		len(d) >= 2 && (d[0] == 0xff && d[1] == 0xfe || d[0] == 0xfe && d[1] == 0xff)
}

// prefetch reads a file and parses it when it may include or extend
// others, which is all that absorbed needs to know before the projects are
// loaded.
func (c *fileCache) prefetch(abs string) {
	if pf := c.read(abs); pf.readErr == nil && pf.mayRefer {
		c.file(abs)
	}
}

// refers lists the files a file includes and the files its services
// extend (extends: file:); a file that can do neither is not parsed.
func (c *fileCache) refers(abs string) (includes, extends []string, err error) {
	pf := c.read(abs)
	if pf.readErr != nil {
		return nil, nil, pf.readErr
	}
	if !pf.mayRefer {
		return nil, nil, nil
	}
	cf, err := c.file(abs)
	if err != nil {
		return nil, nil, err
	}
	for _, ws := range cf.services {
		if ws.extendsFile != "" && !strings.Contains(ws.extendsFile, "$") {
			extends = append(extends, ws.extendsFile)
		}
	}
	return cf.includes, extends, nil
}

// defaultComposeFiles are the files docker compose reads in a directory
// when no -f names one.
var defaultComposeFiles = map[string]bool{"compose.yaml": true, "compose.yml": true, "docker-compose.yaml": true, "docker-compose.yml": true}

// absorbed lists every file that a project's files include or extend
// services from, directly or not. Such a file belongs to the project that
// includes or extends it, not to a project of its own (a file of service
// definitions such as PostHog's docker-compose.base.yml), except a file
// that is only extended and that docker compose runs by default in its
// directory (docker-compose.yml, compose.yaml, ...): `docker compose up`
// there runs it as a project, whatever extends it.
func (c *fileCache) absorbed(projects []Project) map[string]bool {
	out := map[string]bool{}
	var visit func(abs string, depth int)
	visit = func(abs string, depth int) {
		includes, extends, err := c.refers(abs)
		if err != nil || depth > 32 {
			return
		}
		for _, r := range includes {
			if !out[r] {
				out[r] = true
				visit(r, depth+1)
			}
		}
		for _, r := range extends {
			if !out[r] && !defaultComposeFiles[filepath.Base(r)] {
				out[r] = true
				visit(r, depth+1)
			}
		}
	}
	for _, p := range projects {
		for _, f := range p.Files {
			visit(f, 0)
		}
	}
	return out
}

// file parses a compose file once; later calls, from any goroutine, get
// the cached tree, or parse the same bytes again after a release.
func (c *fileCache) file(abs string) (*composeFile, error) {
	pf := c.read(abs)
	if pf.readErr != nil {
		return nil, pf.readErr
	}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if !pf.parsed {
		pf.cf, pf.err = parseComposeFile(abs, rel(c.root, abs), pf.data)
		if pf.err == nil {
			pf.cf.unset = fileUnsetVars(pf.cf, c.lookup)
		}
		pf.parsed = true
	}
	return pf.cf, pf.err
}

// release drops the cached tree of a project's own file once the project
// is loaded: the trees of every file at once would be most of the memory
// the loading takes. Another project that asks for the file later (an
// extends: file: across projects) parses the same bytes again, which
// gives the same tree; a file that projects include is never released.
func (c *fileCache) release(abs string) {
	if c.shared[abs] {
		return
	}
	pf := c.entry(abs)
	pf.mu.Lock()
	if pf.err == nil {
		pf.parsed, pf.cf = false, nil
	}
	pf.mu.Unlock()
}
