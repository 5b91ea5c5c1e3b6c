package portguard.test.rules.appconfig.stray_env_file

import data.portguard.rules.appconfig.stray_env_file.report
import data.portguard.test.fixtures as fx

test_fail_env_file_of_an_application if {
	d := fx.with_repo(fx.doc([]), [".env", "apps/api/.env", "apps/api/.env.example"], [])
	r := report with input as d
	r == {fx.finding(
		"DBP704", "error", fx.loc("apps/api/.env", 1, 1, 1), "",
		"apps/api/.env is a .env file other than the root .env",
		"move its variables into the root .env and delete apps/api/.env",
		[],
	)}
}

test_success_root_env_and_templates if {
	d := fx.with_repo(fx.doc([]), [".env", ".env.example", "apps/api/.env.sample", "apps/web/.env.template", "deploy/.env.dist"], [])
	r := report with input as d
	r == set()
}
