package config

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The deployment files are checked against Vars, the variables the binary
// reads: a variable that is misspelt in docker-compose.yml or .env.example
// would be silently ignored, and one missing from .env.example would be
// undocumented for operators. No Docker engine is needed: the files are
// checked as data.

var envLine = regexp.MustCompile(`^#?\s*(UNIONBOT_[A-Z0-9_]+)=`)

// TestEnvExampleListsEveryVariable checks that .env.example names every
// variable once, and nothing else.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	f, err := os.Open("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		m := envLine.FindStringSubmatch(line)
		if m == nil {
			if !strings.HasPrefix(line, "#") && strings.TrimSpace(line) != "" {
				t.Errorf(".env.example:%d is neither a comment nor NAME=value: %q", n, line)
			}
			continue
		}
		if !Known(m[1]) {
			t.Errorf(".env.example:%d: %s is not a variable unionbot reads", n, m[1])
		}
		seen[m[1]]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars() {
		switch seen[v.Name] {
		case 0:
			t.Errorf(".env.example does not list %s", v.Name)
		case 1:
		default:
			t.Errorf(".env.example lists %s %d times", v.Name, seen[v.Name])
		}
	}
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string         `yaml:"image"`
	Build       any            `yaml:"build"`
	Command     any            `yaml:"command"`
	EnvFile     any            `yaml:"env_file"`
	Environment any            `yaml:"environment"`
	Volumes     []string       `yaml:"volumes"`
	Healthcheck map[string]any `yaml:"healthcheck"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

// environment returns a service's environment as a map, from either of
// compose's forms (a map, or a list of NAME=value).
func (s composeService) environment(t *testing.T) map[string]string {
	out := map[string]string{}
	switch env := s.Environment.(type) {
	case nil:
	case map[string]any:
		for k, v := range env {
			out[k], _ = v.(string)
		}
	case []any:
		for _, e := range env {
			k, v, _ := strings.Cut(e.(string), "=")
			out[k] = v
		}
	default:
		t.Fatalf("environment has an unexpected form: %T", env)
	}
	return out
}

func (s composeService) words() []string {
	switch c := s.Command.(type) {
	case string:
		return strings.Fields(c)
	case []any:
		var out []string
		for _, w := range c {
			out = append(out, strings.Fields(w.(string))...)
		}
		return out
	}
	return nil
}

func TestDockerCompose(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}

	redis, ok := c.Services["redis"]
	if !ok {
		t.Fatal("docker-compose.yml has no redis service")
	}
	if !strings.HasPrefix(redis.Image, "redis:") {
		t.Errorf("redis runs %q, want the official image redis:…", redis.Image)
	}
	if w := redis.words(); !slices.Contains(w, "--appendonly") || w[slices.Index(w, "--appendonly")+1] != "yes" {
		t.Errorf("redis's command %q does not turn the append-only file on", w)
	}
	named := false
	for _, v := range redis.Volumes {
		src, dst, _ := strings.Cut(v, ":")
		if _, declared := c.Volumes[src]; declared && dst == "/data" {
			named = true
		}
	}
	if !named {
		t.Errorf("redis keeps /data in no named volume (volumes %q)", redis.Volumes)
	}
	if redis.Healthcheck["test"] == nil {
		t.Error("redis has no healthcheck")
	}

	bot, ok := c.Services["unionbot"]
	if !ok {
		t.Fatal("docker-compose.yml has no unionbot service")
	}
	if bot.Build == nil {
		t.Error("unionbot is not built from the Dockerfile")
	}
	if bot.EnvFile != ".env" {
		t.Errorf("unionbot's env_file is %v, want .env", bot.EnvFile)
	}
	if bot.DependsOn["redis"].Condition != "service_healthy" {
		t.Errorf("unionbot does not wait for a healthy redis: %+v", bot.DependsOn)
	}
	env := bot.environment(t)
	if !strings.HasPrefix(env["UNIONBOT_REDIS_URL"], "redis://redis:6379") {
		t.Errorf("unionbot's UNIONBOT_REDIS_URL is %q, want the redis service", env["UNIONBOT_REDIS_URL"])
	}
	if env["UNIONBOT_HTTP_ADDR"] == "" {
		t.Error("unionbot serves no /healthz, /readyz and /metrics (UNIONBOT_HTTP_ADDR)")
	}
	// Every variable compose sets is one unionbot reads, and the values
	// are valid.
	for name, svc := range c.Services {
		for k := range svc.environment(t) {
			if strings.HasPrefix(k, "UNIONBOT_") && !Known(k) {
				t.Errorf("service %s sets %s, which unionbot does not read", name, k)
			}
		}
	}
	if _, err := Load(func(k string) string { return env[k] }); err != nil {
		t.Errorf("the configuration docker-compose.yml sets is invalid: %v", err)
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var from []string
	var user string
	env := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			from = append(from, f[1])
		case "USER":
			user = f[1]
		case "ENV":
			for _, kv := range f[1:] {
				if k, _, ok := strings.Cut(kv, "="); ok {
					env[k] = true
				}
			}
		}
	}
	text := string(b)
	if len(from) < 2 {
		t.Errorf("the Dockerfile has %d stages, want a build stage and a runtime stage", len(from))
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/unionbot", `VOLUME ["/data"]`} {
		if !strings.Contains(text, want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
	if user == "" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0") {
		t.Errorf("the image runs as %q, want a non-root user", user)
	}
	for k := range env {
		if strings.HasPrefix(k, "UNIONBOT_") && !Known(k) {
			t.Errorf("the Dockerfile sets %s, which unionbot does not read", k)
		}
	}
}
