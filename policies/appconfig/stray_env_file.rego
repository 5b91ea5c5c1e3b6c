# METADATA
# title: A .env file other than the root one
# description: |
#   A .env file exists outside the root: applications must load their
#   configuration from the root .env only, through the shared loader, or
#   the two files drift apart. Examples and templates (.env.example,
#   .env.sample, .env.template) are fine.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp704
#     description: DBP704 in the rule reference
# custom:
#   id: DBP704
#   severity: error
#   remediation: Move the variables into the root .env and delete the file.
#   tags: [env]
package portguard.rules.appconfig.stray_env_file

import data.portguard.lib.finding

_template_suffixes := {".example", ".sample", ".template", ".dist", ".defaults"}

report contains finding.new(rego.metadata.chain(), {
	"file": f,
	"line": 1,
	"column": 1,
	"end_column": 1,
	"message": sprintf("%s is a .env file other than the root %s", [f, input.config.env_file]),
	"suggestion": sprintf("move its variables into the root %s and delete %s", [input.config.env_file, f]),
}) if {
	some f in input.repo.env_files
	f != input.config.env_file
	not _template(f)
}

_template(f) if {
	some s in _template_suffixes
	endswith(f, s)
}

# The root env file's own example stands in for it in CI.
_template(f) if f == concat("", [input.config.env_file, ".example"])
