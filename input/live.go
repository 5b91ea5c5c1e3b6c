package input

import "strings"

// Live is what runs on the host when `portguard run` or `portguard audit`
// looks: the listening sockets and, when a Docker engine answers, its
// containers and volumes. Facts only, gathered by internal/live; the
// document of `check` has none. No value that may hold a secret enters it:
// a process is named by its executable, never its arguments; container
// environments are not read; label values other than portguard.* are
// redacted.
type Live struct {
	// Host is the name of the machine.
	Host      string     `json:"host"`
	Listeners []Listener `json:"listeners"`
	// Listing is true when the sockets could be listed; ListError says
	// why not.
	Listing    bool            `json:"listing"`
	ListError  string          `json:"list_error"`
	Docker     LiveDocker      `json:"docker"`
	Containers []LiveContainer `json:"containers"`
	Volumes    []LiveVolume    `json:"volumes"`
}

// Listener is a TCP socket in LISTEN or a bound UDP socket of the host.
type Listener struct {
	Protocol string `json:"protocol"` // tcp or udp
	IP       string `json:"ip"`       // "0.0.0.0", "::", "127.0.0.1", ...
	Port     int    `json:"port"`
	// PID and Command (the executable's name, never its arguments) of the
	// owner; OwnerVisible is false when the socket belongs to a process
	// this user may not see (PID 0, Command "").
	PID          int    `json:"pid"`
	Command      string `json:"command"`
	OwnerVisible bool   `json:"owner_visible"`
}

// LiveDocker says whether the containers were inspected, and if not, why.
type LiveDocker struct {
	Inspected  bool   `json:"inspected"`
	Host       string `json:"host"`
	APIVersion string `json:"api_version"`
	Error      string `json:"error"`
}

// LiveContainer is a container of the engine, running or not.
type LiveContainer struct {
	ID          string   `json:"id"` // the first 12 hex digits
	Name        string   `json:"name"`
	Image       string   `json:"image"`
	ImageRepo   string   `json:"image_repo"`
	ImageName   string   `json:"image_name"`
	ImageTokens []string `json:"image_tokens"`
	State       string   `json:"state"`
	// Running is true for a running, paused or restarting container: it
	// holds its ports.
	Running bool `json:"running"`
	// Project and Service are the compose labels ("" for a container
	// compose did not start); Tokens are the words of Service, else of
	// Name, for classification by name.
	Project string   `json:"project"`
	Service string   `json:"service"`
	Tokens  []string `json:"tokens"`
	// ConfigFiles are the compose files the container was created from,
	// relative to the root when inside it.
	ConfigFiles []string          `json:"config_files"`
	Labels      map[string]string `json:"labels"`
	Ports       []LivePort        `json:"ports"`
	Mounts      []LiveMount       `json:"mounts"`
	// Classification is what the container is, decided as for a service
	// (Document.JoinLive): its labels, then its image, then the words of
	// its name.
	Classification Classification `json:"classification"`
}

// LivePort is a container port published on the host.
type LivePort struct {
	HostIP    string `json:"host_ip"`
	Published int    `json:"published"`
	Target    int    `json:"target"`
	Protocol  string `json:"protocol"`
}

// LiveMount is a volume, bind mount or tmpfs of a container.
type LiveMount struct {
	Type        string `json:"type"`
	Name        string `json:"name"` // the volume's name, for a volume
	Destination string `json:"destination"`
}

// LiveVolume is a volume of the engine and the containers that mount it
// (running or not: `docker volume prune` keeps those).
type LiveVolume struct {
	Name    string `json:"name"`
	Driver  string `json:"driver"`
	Project string `json:"project"` // the compose project label, if any
	// Key is the volume's key in its compose file (the
	// com.docker.compose.volume label).
	Key    string            `json:"key"`
	Labels map[string]string `json:"labels"`
	UsedBy []string          `json:"used_by"`
}

// JoinLive adds the live facts to the document and classifies their
// containers as its services are (the label portguard.category, the
// categories of .portguard.yaml by compose service name, the image, then
// the words of the name; a container's command and environment are not
// read), with the knowledge base of the check (nil: the built-in one).
func (d *Document) JoinLive(l *Live, kb *KnowledgeBase) error {
	if kb == nil {
		var err error
		if kb, err = BuiltinKnowledgeBase(); err != nil {
			return err
		}
	}
	for i := range l.Containers {
		l.Containers[i].Classification = classifyContainer(kb, d.Config.Categories, l.Containers[i])
	}
	d.Live = l
	return nil
}

func classifyContainer(kb *KnowledgeBase, categories map[string]string, c LiveContainer) Classification {
	name := c.Service
	if name == "" {
		name = c.Name
	}
	svc := &Service{Name: name, Tokens: c.Tokens, Image: c.Image, ImageRepo: c.ImageRepo, ImageName: c.ImageName,
		ImageTokens: c.ImageTokens, Labels: c.Labels, XPortguard: map[string]any{}}
	return classify(kb, categories, svc, commandFacts{}, nil)
}

// ImageFacts gives the facts of an image reference that classification
// reads, as for a service: the repository without registry, "library/",
// tag or digest; its last component; that component's words.
func ImageFacts(image string) (repo, name string, words []string) {
	repo, name = normalizeImage(image)
	return repo, name, tokens(name)
}

// Words gives the lowercase words of a name, as a service's Tokens.
func Words(s string) []string { return tokens(s) }

// RedactLabels returns a copy of labels in which every value but those of
// portguard's own labels is Redacted, as for a service's labels.
func RedactLabels(labels map[string]string) map[string]string {
	out := make(map[string]string, len(labels))
	for k, v := range labels {
		if strings.HasPrefix(k, "portguard.") {
			out[k] = v
		} else {
			out[k] = Redacted
		}
	}
	return out
}
