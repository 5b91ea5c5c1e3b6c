package input

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/portguard/portguard/internal/osfile"
)

// fileCache holds the compose files of one run: each is read and parsed
// once, by whichever project asks first, from any goroutine, and its tree
// kept for the run.
type fileCache struct {
	root  string
	limit int64
	// lookup reads the root .env, for the unset variables of each file.
	lookup lookupFunc

	mu    sync.Mutex
	files map[string]*cachedFile // by absolute path
}

// cachedFile is one file of the cache.
type cachedFile struct {
	once sync.Once
	data []byte // nil when the file cannot be read
	cf   *composeFile
	err  error
}

// file reads and parses a compose file once; later calls, from any
// goroutine, get the same tree.
func (c *fileCache) file(abs string) (*composeFile, error) {
	c.mu.Lock()
	f, ok := c.files[abs]
	if !ok {
		f = &cachedFile{}
		c.files[abs] = f
	}
	c.mu.Unlock()
	f.once.Do(func() {
		data, err := osfile.Read(abs, c.limit)
		if err != nil {
			f.err = InputError{File: rel(c.root, abs), Message: "cannot read: " + pathErrorReason(err)}
			return
		}
		f.data = data
		f.cf, f.err = parseComposeFile(abs, rel(c.root, abs), data)
		if f.err == nil {
			f.cf.unset = fileUnsetVars(f.cf, c.lookup)
		}
	})
	return f.cf, f.err
}

// data is the content of a file the cache holds, nil when it could not be
// read.
func (c *fileCache) data(abs string) []byte {
	c.file(abs)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.files[abs].data
}

// refers lists the files a file includes and the files its services
// extend (extends: file:).
func (c *fileCache) refers(abs string) (includes, extends []string, err error) {
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
