package input

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/portguard/portguard/internal/osfile"
)

// dotenvLoadRE finds code that loads dotenv itself: dotenv.config(),
// require('dotenv').config(), require('dotenv/config'), import
// 'dotenv/config', and `import { config } from 'dotenv'`.
var dotenvLoadRE = regexp.MustCompile(`\bdotenv\s*\.\s*config\s*\(|require\(\s*['"]dotenv['"]\s*\)\s*\.\s*config\s*\(|require\(\s*['"]dotenv/config['"]\s*\)|import\s+['"]dotenv/config['"]|import\s*\{[^}]*\bconfig\b[^}]*\}\s*from\s*['"]dotenv['"]`)

// maxSourceSize skips bundles and minified files, which are not where a
// team loads its configuration.
const maxSourceSize = 1 << 20

// repoFacts lists the .env files of the repository and the places where
// application code loads dotenv directly.
func repoFacts(root string, t Tree, limit int64) Repo {
	r := Repo{EnvFiles: []string{}, EnvLoads: []EnvLoad{}}
	r.EnvFiles = append(r.EnvFiles, t.EnvFiles...)
	for _, p := range t.Sources {
		data, err := osfile.Read(p, min(limit, maxSourceSize))
		if err != nil {
			continue
		}
		r.EnvLoads = append(r.EnvLoads, envLoads(rel(root, p), data)...)
	}
	return r
}

// envLoads finds the dotenv loads of one source file, one per line.
func envLoads(file string, data []byte) []EnvLoad {
	if !bytes.Contains(data, []byte("dotenv")) {
		return nil
	}
	var out []EnvLoad
	for i, line := range bytes.Split(data, []byte("\n")) {
		trimmed := bytes.TrimSpace(line)
		if bytes.HasPrefix(trimmed, []byte("//")) || bytes.HasPrefix(trimmed, []byte("*")) {
			continue
		}
		if m := dotenvLoadRE.Find(line); m != nil {
			via := string(bytes.Join(bytes.Fields(m), []byte(" ")))
			if strings.HasSuffix(via, "(") {
				via += ")"
			}
			out = append(out, EnvLoad{File: file, Line: i + 1, Via: via})
		}
	}
	return out
}
