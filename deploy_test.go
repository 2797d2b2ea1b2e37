package main

// The deployment examples in deploy/ are read as Kubernetes and Compose
// would read them, and one replica is started from the binary exactly as
// the manifest configures it (its arguments and environment, Secrets
// replaced by test values, Redis by a local redis-server).

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

// The image's entrypoint (Containerfile): the manifests' arguments are appended to it.
var imageEntrypoint = []string{"--transport", "http", "--addr", "0.0.0.0:8080"}

type k8sContainer struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Template struct {
			Spec struct {
				Containers []k8sContainer `yaml:"containers"`
				Volumes    []struct {
					Name   string `yaml:"name"`
					Secret *struct {
						SecretName  string `yaml:"secretName"`
						DefaultMode int    `yaml:"defaultMode"`
						Items       []struct {
							Key  string `yaml:"key"`
							Path string `yaml:"path"`
						} `yaml:"items"`
					} `yaml:"secret"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			Port int `yaml:"port"`
		} `yaml:"ports"`
		TLS []struct { // an Ingress's
			Hosts []string `yaml:"hosts"`
		} `yaml:"tls"`
		Rules []struct {
			Host string `yaml:"host"`
		} `yaml:"rules"`
	} `yaml:"spec"`
}

// readK8s reads the objects of a manifest under deploy/kubernetes by kind/name.
func readK8s(t *testing.T, file string) (map[string]k8sObject, string) {
	t.Helper()
	b, err := os.ReadFile("deploy/kubernetes/" + file)
	require.NoError(t, err)
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	objs := map[string]k8sObject{}
	for {
		var o k8sObject
		if err := dec.Decode(&o); err != nil {
			require.ErrorContains(t, err, "EOF")
			break
		}
		objs[o.Kind+"/"+o.Metadata.Name] = o
	}
	return objs, string(b)
}

func TestDeployKubernetes(t *testing.T) {
	objs, text := readK8s(t, "ld-usage-mcp.yaml")
	dep, ok := objs["Deployment/ld-usage-mcp"]
	require.True(t, ok)
	require.NotNil(t, dep.Spec.Replicas)
	assert.Equal(t, 3, *dep.Spec.Replicas)
	require.Len(t, dep.Spec.Template.Spec.Containers, 1)
	c := dep.Spec.Template.Spec.Containers[0]
	require.NotEmpty(t, c.Ports)
	assert.Equal(t, 8080, c.Ports[0].ContainerPort, "the port the image listens on")
	for _, p := range []string{"readiness", "liveness"} {
		probe := c.ReadinessProbe
		if p == "liveness" {
			probe = c.LivenessProbe
		}
		require.NotNil(t, probe, p)
		require.NotNil(t, probe.HTTPGet, p)
		assert.Equal(t, "/healthz", probe.HTTPGet.Path, p)
		assert.Equal(t, c.Ports[0].Name, probe.HTTPGet.Port, p)
	}
	_, ok = objs["Service/ld-usage-mcp"]
	assert.True(t, ok)
	redisSvc, ok := objs["Service/ld-usage-mcp-redis"]
	require.True(t, ok)
	_, ok = objs["Deployment/ld-usage-mcp-redis"]
	assert.True(t, ok)

	// Every Secret key used is one the instructions create; a key mounted
	// as a file (a *_FILE variable) becomes a file of test values.
	mounted := map[string]string{} // file path in the container → Secret key
	for _, m := range c.VolumeMounts {
		for _, v := range dep.Spec.Template.Spec.Volumes {
			if v.Name == m.Name && v.Secret != nil {
				for _, it := range v.Secret.Items {
					mounted[m.MountPath+"/"+it.Path] = it.Key
				}
			}
		}
	}
	dir := t.TempDir()
	env, secrets := map[string]string{}, map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil:
			ref := e.ValueFrom.SecretKeyRef
			assert.Contains(t, text, "--from-literal="+ref.Key+"=", "the instructions create the Secret's key %s", ref.Key)
			env[e.Name] = "secret-" + ref.Key + "-7e1b"
			secrets[e.Name] = env[e.Name]
		case strings.HasSuffix(e.Name, "_FILE"):
			key, ok := mounted[e.Value]
			require.True(t, ok, "%s names a file of a mounted Secret", e.Name)
			assert.Contains(t, text, "--from-literal="+key+"=", "the instructions create the Secret's key %s", key)
			value := "secret-" + key + "-7e1b"
			path := filepath.Join(dir, key)
			require.NoError(t, os.WriteFile(path, []byte(value+"\n"), 0o600))
			env[e.Name] = path
			secrets[strings.TrimSuffix(e.Name, "_FILE")] = value
		default:
			env[e.Name] = e.Value
		}
	}
	for _, name := range []string{"LD_USAGE_MCP_AUTH_TOKEN", "LD_USAGE_MCP_REDIS_PASSWORD", "LD_USAGE_MCP_SECRET", "LAUNCHDARKLY_API_KEY"} {
		assert.Contains(t, secrets, name)
	}
	assert.Contains(t, env, "LD_USAGE_MCP_REDIS_URL")
	// Redis takes its password from its mounted configuration, not argv.
	rd := objs["Deployment/ld-usage-mcp-redis"].Spec.Template.Spec
	require.Len(t, rd.Containers, 1)
	assert.NotContains(t, strings.Join(rd.Containers[0].Args, " "), "requirepass")
	assert.Contains(t, text, `--from-literal=redis.conf="requirepass `)
	ru, err := url.Parse(env["LD_USAGE_MCP_REDIS_URL"])
	require.NoError(t, err)
	assert.Equal(t, "ld-usage-mcp-redis", ru.Hostname(), "the Redis URL names the Redis Service")
	require.NotEmpty(t, redisSvc.Spec.Ports)
	assert.Equal(t, ru.Port(), strconv.Itoa(redisSvc.Spec.Ports[0].Port))

	// One replica as configured, against a local Redis with the Secret's password.
	rds := redistest.Start(t, secrets["LD_USAGE_MCP_REDIS_PASSWORD"])
	env["LD_USAGE_MCP_REDIS_URL"] = "redis://" + rds.Addr() + ru.Path
	env["LAUNCHDARKLY_API_KEY"] = "api-" + env["LAUNCHDARKLY_API_KEY"]
	startConfigured(t, append(append(imageEntrypoint, c.Args...), "--demo"), env, secrets, "ld-usage-mcp")
}

func TestDeployCompose(t *testing.T) {
	b, err := os.ReadFile("deploy/compose.yaml")
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Secrets     []string          `yaml:"secrets"`
			Configs     []struct {
				Source string `yaml:"source"`
			} `yaml:"configs"`
			Deploy struct {
				Replicas int `yaml:"replicas"`
			} `yaml:"deploy"`
		} `yaml:"services"`
		Secrets map[string]struct {
			Environment string `yaml:"environment"`
		} `yaml:"secrets"`
		Configs map[string]struct {
			Content string `yaml:"content"`
		} `yaml:"configs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &compose))
	svc, ok := compose.Services["ld-usage-mcp"]
	require.True(t, ok)
	assert.Equal(t, 3, svc.Deploy.Replicas)
	redis, ok := compose.Services["redis"]
	assert.True(t, ok)
	// Redis takes its password from its mounted configuration, not argv.
	assert.NotContains(t, strings.Join(redis.Command, " "), "requirepass")
	require.Len(t, redis.Configs, 1)
	assert.Contains(t, compose.Configs[redis.Configs[0].Source].Content, "requirepass ${LD_USAGE_MCP_REDIS_PASSWORD")
	assert.Contains(t, string(b), "server ld-usage-mcp:8080;", "nginx balances over the replicas")

	// Compose's ${VAR:?…} and ${VAR:-} take test values.
	interp := regexp.MustCompile(`\$\{([A-Z_]+)(:[-?][^}]*)?\}`)
	value := func(name string) string { return "api-compose-" + strings.ToLower(name) }
	env, secrets := map[string]string{}, map[string]string{}
	for k, v := range svc.Environment {
		env[k] = interp.ReplaceAllStringFunc(v, func(m string) string {
			return value(interp.FindStringSubmatch(m)[1])
		})
		if strings.Contains(v, "${") {
			secrets[k] = env[k]
		}
	}
	// Compose secrets are files under /run/secrets, filled from the
	// environment variable each names.
	dir := t.TempDir()
	for k, v := range env {
		name, ok := strings.CutPrefix(v, "/run/secrets/")
		if !ok {
			continue
		}
		assert.Contains(t, svc.Secrets, name, "%s names a secret of the service", k)
		from := compose.Secrets[name].Environment
		require.NotEmpty(t, from, "the secret %s is filled from the environment", name)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(value(from)+"\n"), 0o600))
		env[k] = path
		secrets[strings.TrimSuffix(k, "_FILE")] = value(from)
	}
	for _, name := range []string{"LD_USAGE_MCP_AUTH_TOKEN", "LD_USAGE_MCP_REDIS_PASSWORD", "LD_USAGE_MCP_SECRET"} {
		assert.Contains(t, secrets, name)
	}
	ru, err := url.Parse(env["LD_USAGE_MCP_REDIS_URL"])
	require.NoError(t, err)
	assert.Equal(t, "redis", ru.Hostname(), "the Redis URL names the redis service")
	rds := redistest.Start(t, secrets["LD_USAGE_MCP_REDIS_PASSWORD"])
	env["LD_USAGE_MCP_REDIS_URL"] = "redis://" + rds.Addr() + ru.Path
	startConfigured(t, append(append(imageEntrypoint, svc.Command...), "--demo"), env, secrets, "localhost")
}

// startConfigured runs the binary with args (listening on a free loopback
// port instead: a repeated flag wins) and env, and checks that it serves MCP
// to a caller with the bearer token and Host host, reaches Redis, and
// answers /healthz.
func startConfigured(t *testing.T, args []string, env, secrets map[string]string, host string) {
	t.Helper()
	var envList []string
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	r := startReplica(t, cleanEnv(envList...), append(args[2:], "--addr", "127.0.0.1:0")...)
	resp := httpDo(t, http.MethodGet, r.url+"/healthz", "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	bearer := map[string]string{"Authorization": "Bearer " + secrets["LD_USAGE_MCP_AUTH_TOKEN"]}
	resp = httpDo(t, http.MethodGet, r.url+"/metrics", "", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the token guards /metrics")
	require.Eventually(t, func() bool {
		return strings.Contains(r.logs.String(), "redis reachable")
	}, 10*time.Second, 20*time.Millisecond, "the replica reaches Redis; stderr:\n%s", r.logs.String())

	_, port, _ := net.SplitHostPort(strings.TrimPrefix(r.url, "http://"))
	h := map[string]string{"Host": host + ":" + port}
	for k, v := range bearer {
		h[k] = v
	}
	ctx := httpTestCtx(t)
	s := mcptest.MustConnect(t, ctx, "sdk", "http", r.url, bearer)
	text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("deployed"))
	require.NoError(t, err)
	assert.False(t, isErr, text)
	resp = httpDo(t, http.MethodPost, r.url+"/mcp", initializeBody, h)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the Host %s is allowed", host)
	for _, name := range []string{"LD_USAGE_MCP_AUTH_TOKEN", "LD_USAGE_MCP_REDIS_PASSWORD", "LD_USAGE_MCP_SECRET"} {
		require.NotEmpty(t, secrets[name])
		assert.NotContains(t, r.logs.String(), secrets[name])
	}
	assert.NotContains(t, r.logs.String(), "warning", "no secret on the command line")
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
