package input

import (
	"fmt"
	"path"
	"strings"
)

// MatchExclude reports whether the slash-separated path rel (relative to
// the root, without a leading "./") matches the exclude pattern, as
// `exclude:` of .portguard.yaml and `--exclude` read it:
//
//   - `*`, `?` and `[...]` match as in a shell, within one path segment;
//     `**` as a whole segment matches any number of segments, none
//     included (`samples/**/compose.yaml`, `**/testdata`);
//   - a pattern without a slash matches the name of a file or directory at
//     any depth (`legacy`, `*.old.yml`); one with a slash matches from the
//     root (`samples/*`, `apps/web/docker-compose.yml`);
//   - a leading `./` and a trailing `/` are ignored.
//
// Discovery asks about every directory before it descends into it, so a
// pattern that matches a directory excludes everything under it.
func MatchExclude(pattern, rel string) bool {
	pattern = cleanPattern(pattern)
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(rel))
		return ok
	}
	return matchSegments(strings.Split(pattern, "/"), strings.Split(rel, "/"))
}

// ValidExclude says what is wrong with an exclude pattern, if anything.
func ValidExclude(pattern string) error {
	p := cleanPattern(pattern)
	if p == "" || p == "." {
		return fmt.Errorf("%q excludes nothing: give a path or a glob", pattern)
	}
	for _, seg := range strings.Split(p, "/") {
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("%q is not a valid glob", pattern)
		}
	}
	return nil
}

func cleanPattern(p string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(p), "./"), "/")
}

func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// excluded reports whether rel matches one of the patterns.
func excluded(patterns []string, rel string) bool {
	for _, p := range patterns {
		if MatchExclude(p, rel) {
			return true
		}
	}
	return false
}
