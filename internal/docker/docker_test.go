package docker_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
	"github.com/portguard/portguard/internal/dockertest"
)

// The client negotiates down to the engine's API version (1.41 on the
// project's machines) and speaks it.
func TestInfoNegotiatesTheEngineVersion(t *testing.T) {
	c := dockertest.Engine(t)
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("docker", "version", "--format", "{{.Server.APIVersion}}").Output()
	if err != nil {
		t.Fatalf("docker version: %v", err)
	}
	server := strings.TrimSpace(string(out))
	if lessVersion(server, "1.57") && info.APIVersion != server {
		t.Errorf("negotiated API %s, the engine speaks %s", info.APIVersion, server)
	}
	if info.ServerVersion == "" || info.Host == "" {
		t.Errorf("info %+v", info)
	}
	t.Logf("engine %s, API %s, at %s", info.ServerVersion, info.APIVersion, info.Host)
}

func lessVersion(a, b string) bool {
	am, an, _ := strings.Cut(a, ".")
	bm, bn, _ := strings.Cut(b, ".")
	x, _ := strconv.Atoi(am)
	y, _ := strconv.Atoi(bm)
	if x != y {
		return x < y
	}
	p, _ := strconv.Atoi(an)
	q, _ := strconv.Atoi(bn)
	return p < q
}

// DOCKER_HOST names the engine: a socket where none listens fails and the
// error names it.
func TestDockerHostHonoured(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "nothing.sock")
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	c, err := docker.New()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Host() != "unix://"+sock {
		t.Errorf("host %q", c.Host())
	}
	_, err = c.Info(context.Background())
	if err == nil || !strings.Contains(err.Error(), sock) {
		t.Errorf("Info through %s: %v, want an error naming the socket", sock, err)
	}
}

// A call never outlives its timeout, even when the engine never answers.
func TestTimeoutOnEveryCall(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "silent.sock")
	l, err := listenUnix(sock)
	if err != nil {
		t.Skipf("no unix socket here: %v", err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // accept and never answer
		}
	}()
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	c, err := docker.New()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err = c.Containers(context.Background(), docker.ListOptions{})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Containers on a silent engine: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s with a 300ms timeout", d)
	}
}

// The containers compose started are listed and inspected with their
// labels, published ports and mounts; their volumes are listed and
// inspected; exec returns output and exit codes; a container created (never
// started) moves files in and out through the archive endpoint and is
// removed, while a container portguard did not create is refused.
func TestContainersVolumesExecArchive(t *testing.T) {
	c := dockertest.Engine(t)
	cli := dockertest.Compose(t)
	image := dockertest.ListenerImage(t)
	project := dockertest.Name(t, "adapter")
	ports := dockertest.FreePorts(t, 1, 0, 0)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: `+project+`
services:
  db:
    image: `+image+`
    command: ["5432", "5433/udp"]
    labels:
      portguard.category: database
      secret.token: hunter2
    ports:
      - "127.0.0.1:`+strconv.Itoa(ports[0])+`:5432"
    volumes:
      - data:/data
volumes:
  data: {}
`)
	p := compose.Project{Dir: dir, Name: project}
	dockertest.Up(t, cli, p)
	ctx := context.Background()

	ct := checkListAndInspect(t, c, project, image, ports[0])
	volName := project + "_data"
	checkVolumes(t, c, project, volName)
	checkExec(t, c, ct)
	if err := c.RemoveContainer(ctx, ct.ID); err == nil || !strings.Contains(err.Error(), "did not create") {
		t.Errorf("removing a compose container: %v, want a refusal", err)
	}
	checkArchiveThroughCreated(t, c, ct, image, volName)
}

// checkListAndInspect: the one container of the project is listed and
// inspected with its labels, published port and volume mount; a missing
// container is not found. It returns the container.
func checkListAndInspect(t *testing.T, c *docker.Client, project, image string, port int) docker.Container {
	t.Helper()
	ctx := context.Background()
	list, err := c.Containers(ctx, docker.ListOptions{Labels: []string{docker.LabelProject + "=" + project}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("listed %d containers of %s, want 1", len(list), project)
	}
	ct := list[0]
	if ct.Labels[docker.LabelService] != "db" || ct.Labels["portguard.category"] != "database" || ct.Image != image || !ct.Running() {
		t.Errorf("listed %+v", ct)
	}
	want := docker.PortBinding{HostIP: "127.0.0.1", HostPort: port, Target: 5432, Protocol: "tcp"}
	if !hasPort(ct.Ports, want) {
		t.Errorf("listed ports %+v, want %+v", ct.Ports, want)
	}
	volName := project + "_data"
	if len(ct.Mounts) != 1 || ct.Mounts[0].Name != volName || ct.Mounts[0].Destination != "/data" || ct.Mounts[0].Type != "volume" {
		t.Errorf("listed mounts %+v", ct.Mounts)
	}

	in, err := c.Container(ctx, ct.Name)
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != ct.ID || !hasPort(in.Ports, want) || len(in.Mounts) != 1 || in.Labels[docker.LabelProject] != project {
		t.Errorf("inspected %+v", in)
	}
	if _, err := c.Container(ctx, project+"-nothing"); !docker.IsNotFound(err) {
		t.Errorf("inspect of a missing container: %v, want not found", err)
	}
	return ct
}

// checkVolumes: the project's volume is listed with its compose labels and
// inspected; a missing volume is not found.
func checkVolumes(t *testing.T, c *docker.Client, project, volName string) {
	t.Helper()
	ctx := context.Background()
	vols, err := c.Volumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vols {
		if v.Name == volName {
			found = v.Labels[docker.LabelProject] == project && v.Labels[docker.LabelVolume] == "data"
		}
	}
	if !found {
		t.Errorf("volume %s with its compose labels not listed", volName)
	}
	if v, err := c.Volume(ctx, volName); err != nil || v.Driver != "local" {
		t.Errorf("inspect volume: %+v %v", v, err)
	}
	if _, err := c.Volume(ctx, project+"_nothing"); !docker.IsNotFound(err) {
		t.Errorf("inspect of a missing volume: %v, want not found", err)
	}
}

// checkExec: exec returns the output and the exit code, and streams stdin
// and stdout.
func checkExec(t *testing.T, c *docker.Client, ct docker.Container) {
	t.Helper()
	ctx := context.Background()
	res, err := c.Exec(ctx, ct.ID, docker.ExecOptions{Cmd: []string{"/listener", "-exit", "3", "hello", "exec"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || string(res.Stdout) != "hello exec\n" || string(res.Stderr) != "to stderr\n" {
		t.Errorf("exec: code %d, stdout %q, stderr %q", res.ExitCode, res.Stdout, res.Stderr)
	}
	var streamed bytes.Buffer
	res, err = c.Exec(ctx, ct.ID, docker.ExecOptions{Cmd: []string{"/listener", "-cat"}, Stdin: strings.NewReader("piped in\n"), Stdout: &streamed})
	if err != nil || res.ExitCode != 0 || streamed.String() != "piped in\n" {
		t.Errorf("exec with stdin: %+v %v, streamed %q", res, err, streamed.String())
	}
}

// checkArchiveThroughCreated: a container created, never started, moves
// files in and out of the service's volume through the archive endpoint
// (the owners kept), the engine knows the volume's size, and the container
// is removed without the volume.
func checkArchiveThroughCreated(t *testing.T, c *docker.Client, ct docker.Container, image, volName string) {
	t.Helper()
	ctx := context.Background()
	// A container created, never started, holds the volume for the
	// archive endpoint.
	name := dockertest.Name(t, "holder")
	id, err := c.CreateContainer(ctx, docker.CreateOptions{
		Name: name, Image: image, Cmd: []string{"5432"},
		Mounts: []docker.Mount{{Type: "volume", Name: volName, Destination: "/volume", RW: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dockertest.Docker(t, "rm", "-f", name) })
	held, err := c.Container(ctx, id)
	if err != nil || held.State != "created" || held.Labels[docker.CreatedLabel] != "true" {
		t.Fatalf("created container %+v %v", held, err)
	}
	if err := c.CopyTo(ctx, id, "/volume", tarOf(t, "hello.txt", "in the volume\n")); err != nil {
		t.Fatal(err)
	}
	rc, st, err := c.CopyFrom(ctx, id, "/volume/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := readTar(t, rc)
	rc.Close()
	if got["hello.txt"] != "in the volume\n" || st.Name != "hello.txt" || st.Size != int64(len("in the volume\n")) {
		t.Errorf("copied back %q, stat %+v", got, st)
	}
	// The running service sees the file: it is the same volume.
	res, err := c.Exec(ctx, ct.ID, docker.ExecOptions{Cmd: []string{"/listener", "-cat", "/data/hello.txt"}})
	if err != nil || res.ExitCode != 0 || string(res.Stdout) != "in the volume\n" {
		t.Errorf("the service reads %q from its volume (%+v %v)", res.Stdout, res, err)
	}
	// Extracted files keep the owner their archive names (docker cp -a).
	if err := c.CopyTo(ctx, id, "/volume", tarOwned(t, "owned.txt", "a database's file\n", 4242)); err != nil {
		t.Fatal(err)
	}
	rc, _, err = c.CopyFrom(ctx, id, "/volume/owned.txt")
	if err != nil {
		t.Fatal(err)
	}
	h, err := tar.NewReader(rc).Next()
	rc.Close()
	if err != nil || h.Uid != 4242 {
		t.Errorf("extracted file owned by %d (%v), want 4242", h.Uid, err)
	}
	// The engine knows the size of the volume's data.
	sizes, err := c.VolumeSizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := sizes[volName]; n < int64(len("in the volume\n")+len("a database's file\n")) {
		t.Errorf("volume %s: size %d", volName, n)
	}
	if err := c.RemoveContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Container(ctx, id); !docker.IsNotFound(err) {
		t.Errorf("created container still there after RemoveContainer: %v", err)
	}
	if _, err := c.Volume(ctx, volName); err != nil {
		t.Errorf("RemoveContainer removed the named volume: %v", err)
	}
}

func hasPort(ps []docker.PortBinding, want docker.PortBinding) bool {
	for _, p := range ps {
		if p == want {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func tarOf(t *testing.T, name, content string) io.Reader {
	t.Helper()
	return tarOwned(t, name, content, 0)
}

func tarOwned(t *testing.T, name, content string, uid int) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Uid: uid, Gid: uid, Size: int64(len(content))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func readTar(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = string(b)
	}
}

// The engine computes one disk usage at a time and refuses a second one
// meanwhile: VolumeSizes waits for the other to end instead of failing.
func TestVolumeSizesWaitsForAnotherDiskUsage(t *testing.T) {
	c := dockertest.Engine(t)
	other := exec.Command("docker", "system", "df", "-v")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer other.Wait()
	time.Sleep(200 * time.Millisecond)
	if _, err := c.VolumeSizes(context.Background()); err != nil {
		t.Fatalf("VolumeSizes while docker system df runs: %v", err)
	}
}
