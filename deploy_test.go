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
			} `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			Port int `yaml:"port"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

func readK8s(t *testing.T) (map[string]k8sObject, string) {
	t.Helper()
	b, err := os.ReadFile("deploy/kubernetes/ld-usage-mcp.yaml")
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
	objs, text := readK8s(t)
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

	// Every Secret key used is one the instructions create.
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			ref := e.ValueFrom.SecretKeyRef
			assert.Contains(t, text, "--from-literal="+ref.Key+"=", "the instructions create the Secret's key %s", ref.Key)
			env[e.Name] = "secret-" + ref.Key + "-7e1b"
		} else {
			env[e.Name] = e.Value
		}
	}
	for _, name := range []string{"LD_USAGE_MCP_AUTH_TOKEN", "LD_USAGE_MCP_REDIS_URL", "LD_USAGE_MCP_REDIS_PASSWORD", "LAUNCHDARKLY_API_KEY"} {
		assert.Contains(t, env, name)
	}
	ru, err := url.Parse(env["LD_USAGE_MCP_REDIS_URL"])
	require.NoError(t, err)
	assert.Equal(t, "ld-usage-mcp-redis", ru.Hostname(), "the Redis URL names the Redis Service")
	require.NotEmpty(t, redisSvc.Spec.Ports)
	assert.Equal(t, ru.Port(), strconv.Itoa(redisSvc.Spec.Ports[0].Port))

	// One replica as configured, against a local Redis with the Secret's password.
	rds := redistest.Start(t, env["LD_USAGE_MCP_REDIS_PASSWORD"])
	env["LD_USAGE_MCP_REDIS_URL"] = "redis://" + rds.Addr() + ru.Path
	env["LAUNCHDARKLY_API_KEY"] = "api-" + env["LAUNCHDARKLY_API_KEY"]
	startConfigured(t, append(append(imageEntrypoint, c.Args...), "--demo"), env, "ld-usage-mcp")
}

func TestDeployCompose(t *testing.T) {
	b, err := os.ReadFile("deploy/compose.yaml")
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Deploy      struct {
				Replicas int `yaml:"replicas"`
			} `yaml:"deploy"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(b, &compose))
	svc, ok := compose.Services["ld-usage-mcp"]
	require.True(t, ok)
	assert.Equal(t, 3, svc.Deploy.Replicas)
	_, ok = compose.Services["redis"]
	assert.True(t, ok)
	assert.Contains(t, string(b), "server ld-usage-mcp:8080;", "nginx balances over the replicas")

	// Compose's ${VAR:?…} and ${VAR:-} take test values.
	interp := regexp.MustCompile(`\$\{([A-Z_]+)(:[-?][^}]*)?\}`)
	env := map[string]string{}
	for k, v := range svc.Environment {
		env[k] = interp.ReplaceAllStringFunc(v, func(m string) string {
			return "api-compose-" + strings.ToLower(interp.FindStringSubmatch(m)[1])
		})
	}
	ru, err := url.Parse(env["LD_USAGE_MCP_REDIS_URL"])
	require.NoError(t, err)
	assert.Equal(t, "redis", ru.Hostname(), "the Redis URL names the redis service")
	rds := redistest.Start(t, env["LD_USAGE_MCP_REDIS_PASSWORD"])
	env["LD_USAGE_MCP_REDIS_URL"] = "redis://" + rds.Addr() + ru.Path
	startConfigured(t, append(append(imageEntrypoint, svc.Command...), "--demo"), env, "localhost")
}

// startConfigured runs the binary with args (listening on a free loopback
// port instead: a repeated flag wins) and env, and checks that it serves MCP
// to a caller with the bearer token and Host host, reaches Redis, and
// answers /healthz.
func startConfigured(t *testing.T, args []string, env map[string]string, host string) {
	t.Helper()
	var envList []string
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	r := startReplica(t, cleanEnv(envList...), append(args[2:], "--addr", "127.0.0.1:0")...)
	resp := httpDo(t, http.MethodGet, r.url+"/healthz", "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	bearer := map[string]string{"Authorization": "Bearer " + env["LD_USAGE_MCP_AUTH_TOKEN"]}
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
	for _, secret := range []string{env["LD_USAGE_MCP_AUTH_TOKEN"], env["LD_USAGE_MCP_REDIS_PASSWORD"]} {
		assert.NotContains(t, r.logs.String(), secret)
	}
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
