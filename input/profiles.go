package input

import "slices"

// selectProfiles keeps the services that docker compose starts with the
// profiles given with --profile: those without profiles and those in one
// of the profiles ("*" enables every profile). Without --profile every
// service stays: the policies then read services in disjoint profiles as
// alternatives that never run together. COMPOSE_PROFILES is not read, from
// the environment or the .env, so a check gives the same answer on every
// machine.
func selectProfiles(doc *Document, profiles []string) {
	if len(profiles) == 0 {
		return
	}
	doc.Profiles = slices.Clone(profiles)
	all := slices.Contains(profiles, "*")
	kept := doc.Services[:0]
	for _, svc := range doc.Services {
		if len(svc.Profiles) == 0 || all || slices.ContainsFunc(svc.Profiles, func(p string) bool { return slices.Contains(profiles, p) }) {
			kept = append(kept, svc)
		}
	}
	doc.Services = kept
}
