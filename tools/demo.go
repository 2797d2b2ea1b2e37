package tools

import (
	"slices"
	"strings"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// demoSynthesized names the project, environment and flag keys of a demo
// call that the demo account does not have ("project nope-project"): the
// emulator answers any key, making its data up from the key, and the answer
// says so. The demo account keeps no flag list: every flag is made up.
func demoSynthesized(args map[string][]string) []string {
	projects := emulator.Account(0).Projects()
	known := func(p string) *emulator.Project {
		for i := range projects {
			if projects[i].Key == p {
				return &projects[i]
			}
		}
		return nil
	}
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	var inProjects []*emulator.Project
	for _, name := range []string{"projectKey", "project"} {
		for _, k := range args[name] {
			if p := known(k); p != nil {
				inProjects = append(inProjects, p)
			} else {
				add("project " + k)
			}
		}
	}
	for _, name := range []string{"environmentKey", "environment"} {
		for _, k := range args[name] {
			found := false
			for _, p := range projects {
				if len(inProjects) > 0 && !containsProject(inProjects, p.Key) {
					continue
				}
				for _, e := range p.Environments {
					found = found || e.Key == k
				}
			}
			if !found {
				add("environment " + k)
			}
		}
	}
	for _, k := range args["featureFlagKey"] {
		add("flag " + k)
	}
	return out
}

func containsProject(ps []*emulator.Project, key string) bool {
	for _, p := range ps {
		if p.Key == key {
			return true
		}
	}
	return false
}

// demoAccount says what the demo account has: its projects and their
// environments, and no flag list.
func demoAccount() string {
	var ps []string
	envs := map[string]bool{}
	var envList []string
	for _, p := range emulator.Account(0).Projects() {
		ps = append(ps, p.Key)
		for _, e := range p.Environments {
			if !envs[e.Key] {
				envs[e.Key] = true
				envList = append(envList, e.Key)
			}
		}
	}
	return "projects " + strings.Join(ps, ", ") + ", environments " + strings.Join(envList, ", ") + ", no flag list"
}
