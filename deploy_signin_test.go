package main

// deploy/kubernetes/ld-usage-mcp-signin.yaml (sign-in with LaunchDarkly) is
// read as Kubernetes would read it, and one replica is started from the
// binary as it configures it: the Secrets' keys written as files where the
// manifest mounts them, Redis a local redis-server.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

func TestDeployKubernetesSignIn(t *testing.T) {
	objs, text := readK8s(t, "ld-usage-mcp-signin.yaml")
	dep, ok := objs["Deployment/ld-usage-mcp"]
	require.True(t, ok)
	require.NotNil(t, dep.Spec.Replicas)
	assert.Equal(t, 3, *dep.Spec.Replicas)
	pod := dep.Spec.Template.Spec
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	for _, probe := range []*k8sProbe{c.ReadinessProbe, c.LivenessProbe} {
		require.NotNil(t, probe)
		require.NotNil(t, probe.HTTPGet)
		assert.Equal(t, "/healthz", probe.HTTPGet.Path)
	}

	// Secret volumes, by mount path; each file a key the instructions create.
	secretDirs := map[string]string{} // mount path -> Secret name
	for _, m := range c.VolumeMounts {
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.Secret != nil {
				assert.True(t, m.ReadOnly, "secret volume %s mounted read-only", m.Name)
				assert.Zero(t, v.Secret.DefaultMode&0o007, "secret files not world-readable")
				secretDirs[m.MountPath] = v.Secret.SecretName
			}
		}
	}
	require.NotEmpty(t, secretDirs, "the sign-in secrets are mounted as files")

	files := t.TempDir()
	secrets := map[string]string{} // file key -> test value
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil:
			ref := e.ValueFrom.SecretKeyRef
			assert.True(t, strings.Contains(text, "--from-literal="+ref.Key+"="), "the instructions create the Secret's key %s", ref.Key)
			env[e.Name] = "secret-" + ref.Key + "-5d2a"
		case strings.HasSuffix(e.Name, "_FILE"):
			dir, key := filepath.Split(e.Value)
			name, mounted := secretDirs[filepath.Clean(dir)]
			require.True(t, mounted, "%s=%s is not in a mounted Secret", e.Name, e.Value)
			assert.True(t, strings.Contains(text, "secret generic "+name+" "), "the instructions create the Secret %s", name)
			assert.True(t, strings.Contains(text, "--from-literal="+key+"="), "the instructions create the Secret's key %s", key)
			secrets[key] = "file-secret-" + key + "-9c41e7"
			local := filepath.Join(files, key)
			require.NoError(t, os.WriteFile(local, []byte(secrets[key]+"\n"), 0o400))
			env[e.Name] = local
		default:
			env[e.Name] = e.Value
		}
	}
	for _, name := range []string{"LD_USAGE_MCP_PUBLIC_URL", "LAUNCHDARKLY_OAUTH_CLIENT_ID", "LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE", "LD_USAGE_MCP_SECRET_FILE", "LD_USAGE_MCP_REDIS_URL"} {
		assert.Contains(t, env, name)
	}
	for _, name := range []string{"LAUNCHDARKLY_OAUTH_CLIENT_SECRET", "LD_USAGE_MCP_SECRET", "LD_USAGE_MCP_AUTH_TOKEN"} {
		assert.NotContains(t, env, name, "a secret in the environment, or a bearer token that sign-in refuses")
	}
	public := env["LD_USAGE_MCP_PUBLIC_URL"]
	pu, err := url.Parse(public)
	require.NoError(t, err)
	assert.Equal(t, "https", pu.Scheme)
	ing, ok := objs["Ingress/ld-usage-mcp"]
	require.True(t, ok, "TLS in front: an Ingress")
	require.NotEmpty(t, ing.Spec.Rules)
	assert.Equal(t, pu.Host, ing.Spec.Rules[0].Host, "the Ingress serves the public URL's host")
	require.NotEmpty(t, ing.Spec.TLS)
	assert.Contains(t, ing.Spec.TLS[0].Hosts, pu.Host)

	// One replica as configured (on loopback; the proxy's Host passed through).
	ru, err := url.Parse(env["LD_USAGE_MCP_REDIS_URL"])
	require.NoError(t, err)
	rds := redistest.Start(t, env["LD_USAGE_MCP_REDIS_PASSWORD"])
	env["LD_USAGE_MCP_REDIS_URL"] = "redis://" + rds.Addr() + ru.Path
	var envList []string
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	r := startReplica(t, cleanEnv(envList...), append(append(imageEntrypoint, c.Args...)[2:], "--addr", "127.0.0.1:0")...)
	host := map[string]string{"Host": pu.Host}

	resp := httpDo(t, http.MethodPost, r.url+"/mcp", initializeBody, host)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "sign-in is on")
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `resource_metadata="`+public+`/.well-known/oauth-protected-resource/mcp"`)

	resp = httpDo(t, http.MethodGet, r.url+"/.well-known/oauth-protected-resource/mcp", "", host)
	var prm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&prm))
	resp.Body.Close()
	assert.Equal(t, public+"/mcp", prm.Resource)
	assert.Contains(t, prm.AuthorizationServers, public)

	resp = httpDo(t, http.MethodGet, r.url+"/.well-known/oauth-authorization-server", "", host)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	for _, s := range secrets {
		assert.NotContains(t, r.logs.String(), s)
	}
	assert.NotContains(t, r.logs.String(), env["LD_USAGE_MCP_REDIS_PASSWORD"])
}
