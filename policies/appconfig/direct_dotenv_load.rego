# METADATA
# title: Application loads dotenv directly
# description: |
#   Application code loads dotenv itself (dotenv.config(), import
#   'dotenv/config', ...) instead of through the shared loader, so it may
#   read a local .env and see other ports than the stack publishes.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp705
#     description: DBP705 in the rule reference
# custom:
#   id: DBP705
#   severity: error
#   remediation: Import the shared loader (env_loader in .portguard.yaml, backend/shared/config/load-env.js by default) instead.
#   tags: [env]
package portguard.rules.appconfig.direct_dotenv_load

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), {
	"file": load.file,
	"line": load.line,
	"column": 1,
	"end_column": 1,
	"message": sprintf("%s loads dotenv directly (%s)", [load.file, load.via]),
	"suggestion": sprintf("load the configuration through %s, which reads the root .env", [input.config.env_loader]),
}) if {
	some load in input.repo.env_loads
	load.file != input.config.env_loader
}
