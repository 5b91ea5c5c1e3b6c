package portguard.test.rules.appconfig.direct_dotenv_load

import data.portguard.rules.appconfig.direct_dotenv_load.report
import data.portguard.test.fixtures as fx

test_fail_application_loads_dotenv_itself if {
	d := fx.with_repo(fx.doc([]), [".env"], [{"file": "apps/api/src/config.js", "line": 4, "via": "dotenv.config"}])
	r := report with input as d
	r == {fx.finding(
		"DBP705", "error", fx.loc("apps/api/src/config.js", 4, 1, 1), "",
		"apps/api/src/config.js loads dotenv directly (dotenv.config)",
		"load the configuration through backend/shared/config/load-env.js, which reads the root .env",
		[],
	)}
}

test_success_the_shared_loader if {
	d := fx.with_repo(fx.doc([]), [".env"], [{"file": "backend/shared/config/load-env.js", "line": 2, "via": "dotenv.config"}])
	r := report with input as d
	r == set()
}
