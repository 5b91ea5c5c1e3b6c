package input

import (
	"reflect"
	"strings"
	"testing"
)

// classified loads one compose file and returns the classification of
// each service, by name.
func classified(t *testing.T, compose string, extra map[string]string) map[string]Classification {
	t.Helper()
	files := map[string]string{"compose.yml": compose}
	for k, v := range extra {
		files[k] = v
	}
	doc := load(t, files)
	if len(doc.Errors) > 0 {
		t.Fatalf("input errors: %v", doc.Errors)
	}
	out := map[string]Classification{}
	for _, s := range doc.Services {
		out[s.Name] = s.Classification
	}
	return out
}

// want is what a test expects of a classification; nil fields are not
// checked.
type want struct {
	category, kind, by string
	weak, keepsData    bool
	ports              []int
	dataDirs           []string
	listenEnv          []string
}

func (w want) check(t *testing.T, name string, c Classification) {
	t.Helper()
	got := want{c.Category, c.Kind, c.DecidedBy, c.Weak, c.KeepsData, nil, nil, nil}
	exp := want{w.category, w.kind, w.by, w.weak, w.keepsData, nil, nil, nil}
	if got.category != exp.category || got.kind != exp.kind || got.by != exp.by || got.weak != exp.weak || got.keepsData != exp.keepsData {
		t.Errorf("%s: got category %q kind %q decided by %q weak %v keeps data %v, want %q %q %q %v %v\n  evidence: %+v",
			name, c.Category, c.Kind, c.DecidedBy, c.Weak, c.KeepsData, w.category, w.kind, w.by, w.weak, w.keepsData, c.Evidence)
	}
	if w.ports != nil && !reflect.DeepEqual(c.Ports, w.ports) {
		t.Errorf("%s: ports %v, want %v", name, c.Ports, w.ports)
	}
	if w.dataDirs != nil && !reflect.DeepEqual(c.DataDirs, w.dataDirs) {
		t.Errorf("%s: data dirs %v, want %v", name, c.DataDirs, w.dataDirs)
	}
	if w.listenEnv != nil && !reflect.DeepEqual(c.ListenEnv, w.listenEnv) {
		t.Errorf("%s: listen env %v, want %v", name, c.ListenEnv, w.listenEnv)
	}
}

// classifyEvidenceCases are compose files and what each of their services
// is classified as (TestClassifyEvidence).
var classifyEvidenceCases = []struct {
	name, compose string
	want          map[string]want
}{
	{
		name: "applications whose image names end in a database word",
		compose: `services:
  zabbix-server:
    image: zabbix/zabbix-server-mysql:alpine-7.0-latest
    ports: ["10051:10051"]
  zabbix-web:
    image: zabbix/zabbix-web-nginx-pgsql:ubuntu-7.0-latest
  zabbix-proxy:
    image: zabbix/zabbix-proxy-sqlite3:7.0
  billing:
    image: ghcr.io/acme/billing-server-postgres:3
  meta:
    image: supabase/postgres-meta:v0.91.0
  rest:
    image: postgrest/postgrest:v12
`,
		want: map[string]want{
			"zabbix-server": {category: "other", kind: "applications_with_database_words", by: "image-pattern"},
			"zabbix-web":    {category: "other", kind: "applications_with_database_words", by: "image-pattern"},
			"zabbix-proxy":  {category: "other", kind: "applications_with_database_words", by: "image-pattern"},
			"billing":       {category: "other", kind: "applications_with_database_words", by: "image-pattern"},
			"meta":          {category: "other", kind: "postgres_meta", by: "image"},
			"rest":          {category: "other", kind: "postgrest", by: "image"},
		},
	},
	{
		name: "one-shot jobs on database images",
		compose: `services:
  mongo-init:
    image: mongo:7
    command: mongosh --host mongo1:27017 --eval 'rs.initiate()'
  mongo-init-script:
    image: mongo:7
    entrypoint: ["bash", "-c"]
    command: ["sleep 5 && mongosh --host mongo1 --eval 'rs.initiate()'"]
  pg-seed:
    image: postgres:16
    entrypoint: ["/bin/sh", "-ec", "until pg_isready -h db; do sleep 1; done; psql -h db -f /seed.sql"]
  dump:
    image: alpine:3
    command: ["sh", "-c", "apk add postgresql-client && pg_dump -h db > /backup/db.sql"]
  backup:
    image: prodrigestivill/postgres-backup-local:16
  migrate:
    image: flyway/flyway:10
`,
		want: map[string]want{
			"mongo-init":        {category: "job", kind: "mongodb", by: "command"},
			"mongo-init-script": {category: "job", kind: "mongodb", by: "command"},
			"pg-seed":           {category: "job", kind: "postgres", by: "command"},
			"dump":              {category: "job", kind: "alpine", by: "command"},
			"backup":            {category: "job", kind: "database_backup_agents", by: "image"},
			"migrate":           {category: "job", kind: "database_migrations", by: "image"},
		},
	},
	{
		name: "routers, sentinels and in-memory stores keep no data",
		compose: `services:
  mongos:
    image: mongo:7
    command: mongos --configdb cfg/cfg1:27019 --bind_ip_all
  sentinel:
    image: redis:7
    command: redis-sentinel /etc/sentinel.conf
  sentinel-flag:
    image: redis:7
    command: ["redis-server", "/etc/sentinel.conf", "--sentinel"]
  cache:
    image: valkey/valkey:8
    command: ["sh", "-c", "valkey-server --save '' --appendonly no --requirepass $$PASSWORD"]
  persistent:
    image: redis:7
    command: redis-server --save "" --appendonly yes
  memcached:
    image: memcached:1.6
  pooler:
    image: edoburu/pgbouncer:1.21
  mongo:
    image: mongo:7
    entrypoint: ["/bin/bash", "/mongo-entrypoint.sh"]
  redis-entrypoint:
    image: redis:alpine
    command: ["sh", "-euc", "/usr/local/bin/docker-entrypoint.sh --requirepass \"$$(cat /run/secrets/pw)\""]
  memcached-script:
    image: memcached:alpine
    command: ["sh", "-euc", "echo 'mech_list: plain' > /etc/sasl\nexec memcached -S"]
`,
		want: map[string]want{
			"mongos":           {category: "database", kind: "mongodb", by: "image"},
			"sentinel":         {category: "database", kind: "redis", by: "image"},
			"sentinel-flag":    {category: "database", kind: "redis", by: "image"},
			"cache":            {category: "database", kind: "valkey", by: "image"},
			"persistent":       {category: "database", kind: "redis", by: "image", keepsData: true},
			"memcached":        {category: "database", kind: "memcached", by: "image"},
			"pooler":           {category: "database", kind: "pgbouncer", by: "image"},
			"mongo":            {category: "database", kind: "mongodb", by: "image", keepsData: true},
			"redis-entrypoint": {category: "database", kind: "redis", by: "image", keepsData: true},
			"memcached-script": {category: "database", kind: "memcached", by: "image"},
		},
	},
	{
		name: "the command identifies a database on an image the knowledge base does not know",
		compose: `services:
  cluster:
    build: .
    command: redis-server --port 7000 --cluster-enabled yes --dir /srv/redis
  compute:
    image: neon-local:latest
    command: ["/bin/bash", "-c", "mkdir -p /data/compute && /usr/local/bin/compute_ctl --pgdata=/data/compute/pgdata"]
  pageserver:
    image: neon-local:latest
    command: /bin/bash -c "/usr/local/bin/pageserver --listen-http=0.0.0.0:9898 --listen-pg=0.0.0.0:6400 -D /data/pageserver"
  watcher:
    image: acme/watcher:1
    command: ["./watch", "--interval", "5s"]
`,
		want: map[string]want{
			"cluster":    {category: "database", kind: "redis", by: "command", keepsData: true, ports: []int{7000, 26379}, dataDirs: []string{"/srv/redis"}},
			"compute":    {category: "database", kind: "neon_compute", by: "command", keepsData: true, dataDirs: []string{"/data/compute/pgdata"}},
			"pageserver": {category: "database", kind: "neon_storage", by: "command", keepsData: true, ports: []int{5454, 6400, 7676, 9898, 50051}, dataDirs: []string{"/data/pageserver"}},
			"watcher":    {category: "other", by: "none"},
		},
	},
	{
		name: "listen port and data directory from the command and the environment",
		compose: `services:
  pg-env:
    image: postgres:16
    environment:
      PGDATA: /var/lib/postgresql/data/pgdata
      PGPORT: "5433"
  pg-flags:
    image: timescale/timescaledb:latest-pg16
    command: postgres -c port=5434 -D /srv/pg
  mysql:
    image: mysql:8
    command: ["mysqld", "--port=3307", "--datadir=/srv/mysql"]
  mongo:
    image: mongo:7
    command: ["--port", "27018", "--dbpath", "/srv/mongo"]
  es:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment: ["http.port=9201", "path.data=/srv/es"]
  bitnami:
    image: bitnami/postgresql:16
    environment:
      POSTGRESQL_PORT_NUMBER: ${PG_INNER_PORT}
      POSTGRESQL_DATA_DIR: /bitnami/pg/data
  pgadmin:
    image: dpage/pgadmin4
    environment: [PGADMIN_LISTEN_PORT=5050]
`,
		want: map[string]want{
			"pg-env":   {category: "database", kind: "postgres", by: "image", keepsData: true, ports: []int{5433}, dataDirs: []string{"/var/lib/postgresql/data/pgdata"}, listenEnv: []string{"PGPORT"}},
			"pg-flags": {category: "database", kind: "timescaledb", by: "image", keepsData: true, ports: []int{5434}, dataDirs: []string{"/srv/pg"}, listenEnv: []string{}},
			"mysql":    {category: "database", kind: "mysql", by: "image", keepsData: true, ports: []int{3307, 33060, 33061}, dataDirs: []string{"/srv/mysql"}},
			"mongo":    {category: "database", kind: "mongodb", by: "image", keepsData: true, ports: []int{27018, 27019}, dataDirs: []string{"/srv/mongo"}},
			"es":       {category: "database", kind: "elasticsearch", by: "image", keepsData: true, ports: []int{9201, 9300}, dataDirs: []string{"/srv/es"}},
			"bitnami":  {category: "database", kind: "bitnami_postgresql", by: "image", keepsData: true, ports: []int{6543}, dataDirs: []string{"/bitnami/pg/data"}},
			"pgadmin":  {category: "ui", kind: "pgadmin", by: "image", ports: []int{443, 5050}},
		},
	},
	{
		name: "the words a name ends with are a weak guess",
		compose: `services:
  orders-db:
    image: acme/orders:2
  orders-db-backup:
    build: .
  qdrant_node_1:
    build: .
  redis7:
    build: .
  redis-ui:
    image: acme/redis-ui:1
  kafka-ui:
    image: acme/kafka-ui:1
  exporter-jobs:
    image: acme/exporter-jobs:1
  timescaledb-exporter:
    build: ./exporter
  statbus-db:
    image: ghcr.io/statisticsnorway/statbus-db:local
  meta:
    image: acme/postgres-meta:1
  redis-cluster:
    build: .
`,
		want: map[string]want{
			"orders-db":            {category: "database", kind: "database", by: "name", weak: true, keepsData: true},
			"orders-db-backup":     {category: "database", kind: "database", by: "name", weak: true, keepsData: true, dataDirs: []string{}},
			"qdrant_node_1":        {category: "database", kind: "qdrant", by: "name", weak: true, keepsData: true, ports: []int{}, dataDirs: []string{"/qdrant/storage"}},
			"redis7":               {category: "database", kind: "redis", by: "name", weak: true, keepsData: true, ports: []int{}},
			"redis-ui":             {category: "ui", by: "image-words", weak: true},
			"kafka-ui":             {category: "other", kind: "kafka_ui", by: "image"},
			"exporter-jobs":        {category: "other", by: "none"},
			"timescaledb-exporter": {category: "exporter", kind: "exporter", by: "name", weak: true},
			"statbus-db":           {category: "database", kind: "database", by: "image-words", weak: true, keepsData: true},
			"meta":                 {category: "other", kind: "postgres_meta", by: "image"},
			"redis-cluster":        {category: "database", kind: "redis", by: "name", weak: true, keepsData: true},
		},
	},
	{
		name: "what the user says wins",
		compose: `services:
  labelled:
    image: postgres:16
    labels: {portguard.category: ui}
  extension:
    image: acme/ledger:3
    x-portguard: {category: database}
  configured:
    image: redis:7
  labelled-job:
    image: mongo:7
    labels: [portguard.category=job]
`,
		want: map[string]want{
			"labelled":     {category: "ui", kind: "postgres", by: "label"},
			"extension":    {category: "database", by: "x-portguard", keepsData: true},
			"configured":   {category: "other", kind: "redis", by: "config"},
			"labelled-job": {category: "job", kind: "mongodb", by: "label"},
		},
	},
	{
		name: "image names and patterns",
		compose: `services:
  mirror:
    image: registry.example.com:5000/mirror/postgres:16
  appwrite-pg:
    image: appwrite/postgres:0.1.0
  generic:
    image: acme/db:1
  exporter:
    image: acme/postgres-custom-exporter:1
  node:
    image: quay.io/prometheus/node-exporter:v1.8
`,
		want: map[string]want{
			"mirror":      {category: "database", kind: "postgres", by: "image", keepsData: true},
			"appwrite-pg": {category: "database", kind: "postgres", by: "image", keepsData: true},
			"generic":     {category: "database", kind: "database", by: "image-words", weak: true, keepsData: true},
			"exporter":    {category: "exporter", kind: "database_exporters", by: "image-pattern"},
			"node":        {category: "other", kind: "node_exporter", by: "image"},
		},
	},
}

func TestClassifyEvidence(t *testing.T) {
	for _, tc := range classifyEvidenceCases {
		t.Run(tc.name, func(t *testing.T) {
			extra := map[string]string{}
			if strings.Contains(tc.compose, "configured:") {
				extra[".portguard.yaml"] = "categories: {configured: other}\n"
			}
			if strings.Contains(tc.compose, "PG_INNER_PORT") {
				extra[".env"] = "PG_INNER_PORT=6543\n"
			}
			got := classified(t, tc.compose, extra)
			if len(got) != len(tc.want) {
				t.Errorf("%d services, want %d", len(got), len(tc.want))
			}
			for name, w := range tc.want {
				c, ok := got[name]
				if !ok {
					t.Errorf("no service %s", name)
					continue
				}
				w.check(t, name, c)
			}
		})
	}
}

// The basis of a classification is what messages quote.
func TestClassifyBasis(t *testing.T) {
	got := classified(t, `services:
  redis-cluster:
    build: .
  db:
    image: postgres:16
  app:
    image: acme/app:1
  bare:
    build: .
`, nil)
	for name, basis := range map[string]string{
		"redis-cluster": `the word "redis" of the service name redis-cluster`,
		"db":            "image repository postgres",
		"app":           "unknown image acme/app, and no database word ends its name or the service's",
		"bare":          "no image, and no database word ends its name",
	} {
		if got[name].Basis != basis {
			t.Errorf("%s: basis %q, want %q", name, got[name].Basis, basis)
		}
	}
}

func TestShellCommands(t *testing.T) {
	got := shellCommands(`set -e; until pg_isready -h "db host"; do sleep 1; done
exec gosu postgres postgres -c 'port=5433' && echo "$(cat /x)" | tee /y`)
	want := [][]string{
		{"set", "-e"}, {"until", "pg_isready", "-h", "db host"}, {"sleep", "1"}, {"done"},
		{"exec", "gosu", "postgres", "postgres", "-c", "port=5433"}, {"echo", "$(cat /x)"}, {"tee", "/y"},
	}
	// Keywords that start a command are dropped.
	want[1] = []string{"pg_isready", "-h", "db host"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if f := normalizeFlags([]string{"--save", "", "--appendonly", "no", "-c", "port=5433", "--maxmemory-policy allkeys-lru", "--sentinel"}); !reflect.DeepEqual(f,
		[]string{"--save=", "--appendonly=no", "-c=port=5433", "--maxmemory-policy=allkeys-lru", "--sentinel="}) {
		t.Errorf("normalizeFlags: %q", f)
	}
}
