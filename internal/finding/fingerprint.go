package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Fingerprints sets the Fingerprint of every finding: a hash of the rule,
// the file, the service and the message with its line references removed
// (the message names the port, the variable or the volume), then ":n" for
// the n-th finding of that hash in the order of Sort. An edit above a
// finding, or reordering the services, leaves it unchanged; SARIF's
// partialFingerprints and the baseline both read it. paths are the files
// the messages may cite as path:line (the compose files, the .env, the
// table), whose line numbers are dropped.
func Fingerprints(fs []*Finding, paths []string) {
	strip := lineRefs(paths)
	seen := map[string]int{}
	order := slices.Clone(fs)
	slices.SortStableFunc(order, func(a, b *Finding) int { return compareFindings(*a, *b) })
	for _, f := range order {
		msg := f.Message
		if strip != nil {
			msg = strip.ReplaceAllString(msg, "$1")
		}
		h := sha256.Sum256([]byte(strings.Join([]string{f.RuleID, f.File, f.Service, msg}, "\x00")))
		key := hex.EncodeToString(h[:8])
		seen[key]++
		f.Fingerprint = fmt.Sprintf("%s:%d", key, seen[key])
	}
}

// lineRefs matches "path:line" (and "path:line:col") for the given paths.
func lineRefs(paths []string) *regexp.Regexp {
	var alts []string
	for _, p := range paths {
		if p != "" {
			alts = append(alts, regexp.QuoteMeta(p))
		}
	}
	if len(alts) == 0 {
		return nil
	}
	// Longest first, so a path that ends another one matches whole.
	slices.SortFunc(alts, func(a, b string) int { return len(b) - len(a) })
	return regexp.MustCompile(`(` + strings.Join(alts, "|") + `):\d+(?::\d+)?\b`)
}
