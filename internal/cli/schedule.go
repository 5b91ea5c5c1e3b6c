package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/portguard/portguard/internal/engine"
)

// The daily audit runs at 03:17: off the hour, when cron jobs pile up.
const scheduleHour, scheduleMinute = 3, 17

// scheduledArgs is the audit as the schedule runs it: portguard's
// executable, and every flag given with its paths made absolute (cron and
// systemd do not start in this directory).
func scheduledArgs(exe string, o *AuditOptions) ([]string, error) {
	abs := func(p string) (string, error) {
		if p == "" || p == "-" {
			return p, nil
		}
		return filepath.Abs(p)
	}
	argv := []string{exe, "audit"}
	add := func(flag, value string, isPath bool) error {
		if isPath {
			v, err := abs(value)
			if err != nil {
				return err
			}
			value = v
		}
		argv = append(argv, flag, value)
		return nil
	}
	if o.HasPath {
		p, err := abs(o.Path)
		if err != nil {
			return nil, err
		}
		argv = append(argv, p)
	}
	var err error
	// The flags that take a value, each as often as it was given.
	for _, fl := range []struct {
		flag   string
		values []string
		isPath bool
	}{
		{"-f", o.Files, true}, {"--config", given(o.Config), true}, {"--format", o.Formats, false},
		{"--output", o.Outputs, true}, {"--fail-on", given(o.FailOn), false},
		{"--policy", o.Policies, true}, {"--data", o.Data, true},
	} {
		for _, v := range fl.values {
			err = firstErr(err, add(fl.flag, v, fl.isPath))
		}
	}
	for _, b := range []struct {
		flag string
		on   bool
	}{{"--no-builtin", o.NoBuiltin}, {"--show-suppressed", o.ShowSuppressed}, {"--quiet", o.Quiet}, {"--keep-going", o.KeepGoing}} {
		if b.on {
			argv = append(argv, b.flag)
		}
	}
	if o.Timeout != engine.DefaultTimeout {
		argv = append(argv, "--timeout", o.Timeout.String())
	}
	if o.Log != "" {
		err = firstErr(err, add("--log", o.Log, true))
	}
	return argv, err
}

// given is the value of a flag that was given, none for "".
func given(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// cronSchedule is a crontab line running the audit daily.
func cronSchedule(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		// cron turns an unescaped % into a newline.
		words[i] = strings.ReplaceAll(shellQuote(a), "%", `\%`)
	}
	return fmt.Sprintf(`# portguard audit of this host, daily at %02d:%02d. Install with crontab -e, as a
# user who may read the Docker socket (root also names the owner of every
# socket). cron mails what the audit prints; exit 1 means findings.
%d %d * * * %s
`, scheduleHour, scheduleMinute, scheduleMinute, scheduleHour, strings.Join(words, " "))
}

// systemdSchedule is a service and timer unit pair running the audit daily.
func systemdSchedule(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = systemdQuote(a)
	}
	return fmt.Sprintf(`# /etc/systemd/system/portguard-audit.service
[Unit]
Description=portguard audit of the host's ports
Documentation=https://github.com/portguard/portguard#live-checks
After=docker.service

[Service]
Type=oneshot
# Exit 1 means findings: the unit fails, so OnFailure= or systemctl --failed
# can alert.
ExecStart=%s

# /etc/systemd/system/portguard-audit.timer
[Unit]
Description=Daily portguard audit of the host's ports

[Timer]
OnCalendar=*-*-* %02d:%02d:00
RandomizedDelaySec=10m
Persistent=true

[Install]
WantedBy=timers.target

# Then: systemctl daemon-reload && systemctl enable --now portguard-audit.timer
`, strings.Join(words, " "), scheduleHour, scheduleMinute)
}

// shellQuote quotes a word for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+-,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// systemdQuote quotes a word of ExecStart when it needs it; % and $ are
// systemd's specifiers and variables.
func systemdQuote(s string) string {
	s = strings.NewReplacer("%", "%%", "$", "$$").Replace(s)
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
