package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/compose"
)

// Budget is the time a rollback must finish in.
const Budget = 5 * time.Minute

// RollbackOptions say which backup to return to.
type RollbackOptions struct {
	// Dir is the backups root: the rollback first saves the current files
	// there as a backup of their own.
	Dir string
	// Backup is the directory of the backup to return to.
	Backup string
	// Root is where the files are restored: the directory the backup was
	// taken of.
	Root string
	// Execution recreates the services the backup recorded, on their old
	// ports (unless ConfigOnly).
	Execution
}

// RollbackResult is what a rollback did.
type RollbackResult struct {
	Backup *backup.Manifest `json:"-"`
	ID     string           `json:"id"`
	// Saved is the backup of the files as they were before the rollback.
	Saved    string           `json:"saved"`
	Restored *backup.Restored `json:"restored"`
	// Recreated are the services recreated and answering on their old
	// ports ("project/service").
	Recreated []string      `json:"recreated"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	Budget    time.Duration `json:"budget_ns"`
}

// Rollback returns the stacks to a backup: it verifies the backup, saves
// the current configuration files as a new backup (nothing is lost),
// restores the backed-up files byte for byte and, unless ConfigOnly,
// recreates the services the backup recorded with docker compose up -d and
// checks that they answer on their old ports with the same volumes.
// Dumps and volume archives are not restored (backup restore does that,
// as a step of its own).
func Rollback(ctx context.Context, o RollbackOptions) (*RollbackResult, error) {
	start := time.Now()
	progress := o.progress()

	ver, err := backup.Verify(o.Backup)
	if err != nil {
		return nil, &VerifyError{Err: err}
	}
	m := ver.Manifest
	if !ver.OK() {
		return nil, &VerifyError{Result: ver}
	}
	if !o.ConfigOnly && len(m.Services) > 0 && (o.Engine == nil || o.Compose == nil) {
		return nil, errors.New("rollback needs a Docker engine and docker compose to recreate the services the backup recorded (or --config-only)")
	}
	fmt.Fprintf(progress, "verified %d %s of backup %s\n", ver.Checked, plural(ver.Checked, "file", "files"), m.ID)
	if err := sameDir(o.Root, m.Root); err != nil {
		return nil, &InputError{Err: fmt.Errorf("backup %s: %w", m.ID, err)}
	}
	saved, err := saveCurrent(ctx, o, m)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "saved the current files as backup %s\n", saved.ID)
	restored, err := backup.RestoreConfig(o.Backup, m, o.Root)
	if err != nil {
		return nil, fmt.Errorf("%w (the files before the rollback are in backup %s)", err, saved.ID)
	}
	fmt.Fprintf(progress, "restored %s\n", describeRestored(restored))
	res := &RollbackResult{Backup: m, ID: m.ID, Saved: saved.ID, Restored: restored, Recreated: []string{}, Budget: Budget}
	if !o.ConfigOnly {
		if err := recreateRecorded(ctx, o, m, res, progress); err != nil {
			return nil, fmt.Errorf("the files are restored, but %w (the files before the rollback are in backup %s)", err, saved.ID)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// recreateRecorded recreates the services a backup recorded, project by
// project as compose started them, and checks each answers on the ports
// it published then, with the volumes it mounted then.
func recreateRecorded(ctx context.Context, o RollbackOptions, m *backup.Manifest, res *RollbackResult, progress io.Writer) error {
	if len(m.Services) == 0 {
		fmt.Fprintln(progress, "the backup recorded no running service: nothing to recreate")
		return nil
	}
	type group struct {
		inv      compose.Project
		services []string
	}
	groups := map[string]*group{}
	var order []string
	for _, s := range m.Services {
		inv := compose.Project{Name: s.Project, Dir: s.WorkingDir, Files: s.ConfigFiles, EnvFiles: s.EnvFiles}
		k := invocationKey(inv)
		if groups[k] == nil {
			groups[k] = &group{inv: inv}
			order = append(order, k)
		}
		if !slices.Contains(groups[k].services, s.Service) {
			groups[k].services = append(groups[k].services, s.Service)
		}
	}
	for _, k := range order {
		g := groups[k]
		if _, err := o.Compose.Run(ctx, g.inv, append([]string{"up", "-d", "--no-deps"}, g.services...)...); err != nil {
			return err
		}
		fmt.Fprintf(progress, "recreated %s (project %s) with docker compose up -d\n", strings.Join(g.services, ", "), g.inv.Name)
	}
	timeout := o.answerTimeout()
	for _, s := range m.Services {
		volumes := map[string]string{}
		for _, mt := range s.Mounts {
			if mt.Type == "volume" && mt.Name != "" {
				volumes[mt.Destination] = mt.Name
			}
		}
		c, err := checkService(ctx, o.Engine, s.Project, s.Service, s.Family, s.Ports, volumes, timeout)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Service, err)
		}
		fmt.Fprintf(progress, "%s answers on %s%s\n", s.Service, portList(s.Ports), mountsText(c))
		res.Recreated = append(res.Recreated, s.Project+"/"+s.Service)
	}
	return nil
}

// saveCurrent backs up the files a rollback to m overwrites or removes,
// as they are now.
func saveCurrent(ctx context.Context, o RollbackOptions, m *backup.Manifest) (*backup.Manifest, error) {
	var present, absent []string
	names := append([]string{}, m.Absent...)
	for _, f := range m.Files {
		if f.Kind == backup.KindConfig {
			names = append(names, f.Source)
		}
	}
	for _, rel := range names {
		st, err := os.Stat(filepath.Join(o.Root, filepath.FromSlash(rel)))
		switch {
		case err == nil && st.Mode().IsRegular():
			present = append(present, rel)
		case errors.Is(err, fs.ErrNotExist):
			absent = append(absent, rel)
		case err == nil:
			return nil, fmt.Errorf("%s is not a regular file: nothing was restored", rel)
		default:
			return nil, fmt.Errorf("cannot read %s: %w; nothing was restored", rel, err)
		}
	}
	saved, dir, err := backup.Create(ctx, backup.Options{
		Dir: o.Dir, Root: o.Root, Config: present, Absent: absent,
		Reason: "before rollback to " + m.ID, Version: o.Version,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot save the current files before the rollback (nothing was restored): %w", err)
	}
	if r, err := backup.Verify(dir); err != nil || !r.OK() {
		return nil, fmt.Errorf("the backup of the current files, %s, fails verification: nothing was restored", saved.ID)
	}
	return saved, nil
}

// sameDir checks that root is the directory a backup was taken of.
func sameDir(root, taken string) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	want := taken
	if real, err := filepath.EvalSymlinks(taken); err == nil {
		want = real
	}
	if abs != want {
		return fmt.Errorf("it was taken of %s, not of %s: give that directory as PATH", taken, abs)
	}
	return nil
}

func describeRestored(r *backup.Restored) string {
	var parts []string
	if len(r.Written) > 0 {
		parts = append(parts, strings.Join(r.Written, ", "))
	}
	if len(r.Removed) > 0 {
		parts = append(parts, "removed "+strings.Join(r.Removed, ", ")+" (absent from the backup)")
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing: every file is as in the backup")
	}
	s := strings.Join(parts, "; ")
	if len(r.Unchanged) > 0 {
		s += fmt.Sprintf(" (%d %s unchanged)", len(r.Unchanged), plural(len(r.Unchanged), "file", "files"))
	}
	return s
}

// VerifyError is a backup that fails verification: exit 1.
type VerifyError struct {
	Result *backup.Result
	Err    error
}

func (e *VerifyError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	lines := make([]string, len(e.Result.Problems))
	for i, p := range e.Result.Problems {
		lines[i] = "  " + p.String()
	}
	return fmt.Sprintf("backup %s fails verification, nothing was changed:\n%s", e.Result.ID, strings.Join(lines, "\n"))
}

func (e *VerifyError) Unwrap() error { return e.Err }
