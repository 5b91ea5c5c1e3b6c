package input

import (
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
)

// projectName is the top-level name of the first file that has one
// (interpolated with the root .env), else the base file's directory, as
// docker compose names projects.
func (l *composeLoader) projectName(files []*composeFile) string {
	for _, cf := range files {
		refs, err := scanVars(cf.name)
		if err != nil {
			continue
		}
		name, unknown := substitute(cf.name, refs, l.env.dotenv.lookup)
		if n := loader.NormalizeProjectName(name); n != "" && len(unknown) == 0 {
			return n
		}
	}
	if n := loader.NormalizeProjectName(filepath.Base(filepath.Dir(files[0].abs))); n != "" {
		return n
	}
	return "default"
}

// tokens splits a name into its lowercase words: the runs of a-z and 0-9
// of the lowercased name (any other character, ASCII or not, separates).
func tokens(s string) []string {
	s = strings.ToLower(s)
	out := []string{}
	start := -1
	for i := 0; i < len(s); i++ {
		if isTokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// isTokenByte reports whether c belongs to a word of a name (see tokens).
func isTokenByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// normalizeImage reduces an image reference to its repository path without
// registry host, "library/", tag or digest, and to its last component:
// "docker.io/library/postgres:16" gives "postgres", "postgres".
func normalizeImage(image string) (repo, name string) {
	s := strings.ToLower(strings.TrimSpace(image))
	if i := strings.Index(s, "@"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(strings.Trim(s, "/"), "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	}
	if len(parts) > 1 && parts[0] == "library" {
		parts = parts[1:]
	}
	// The tag follows the first colon of the last component (a broken
	// reference such as "postgres:15:15" still names postgres).
	last := len(parts) - 1
	if i := strings.Index(parts[last], ":"); i >= 0 {
		parts[last] = parts[last][:i]
	}
	return strings.Join(parts, "/"), parts[last]
}
