package packaging

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registrySchemaFile is the MCP registry's schema for server.json, at the
// version the registry requires (see testdata/registry/README.md).
const registrySchemaFile = "testdata/registry/server.schema.json"

// serverJSONPath is the server.json under test: the repository's, or the one
// a release script generated ($SERVER_JSON).
func serverJSONPath() string {
	if p := os.Getenv("SERVER_JSON"); p != "" {
		return p
	}
	return "../server.json"
}

// registrySchema compiles the registry's schema, formats asserted.
func registrySchema(t *testing.T) (*jsonschema.Schema, string) {
	t.Helper()
	f, err := os.Open(registrySchemaFile)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	id, _ := doc.(map[string]any)["$id"].(string)
	require.NotEmpty(t, id, "the schema names its published URL")
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource(id, doc))
	sch, err := c.Compile(id)
	require.NoError(t, err)
	return sch, id
}

func instance(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return v
}

func TestServerJSONValidatesAgainstRegistrySchema(t *testing.T) {
	sch, id := registrySchema(t)
	b, err := os.ReadFile(serverJSONPath())
	require.NoError(t, err)
	doc := instance(t, b)
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("%s does not validate against %s:\n%v", serverJSONPath(), id, err)
	}
	assert.Equal(t, id, doc.(map[string]any)["$schema"], "$schema names the schema version it is validated against")
}

// TestRegistrySchemaBites: the schema is applied, not just loaded: copies of
// server.json broken in ways the registry refuses fail validation.
func TestRegistrySchemaBites(t *testing.T) {
	sch, _ := registrySchema(t)
	b, err := os.ReadFile(serverJSONPath())
	require.NoError(t, err)
	for name, breakIt := range map[string]func(m map[string]any){
		"no name":                 func(m map[string]any) { delete(m, "name") },
		"name not namespace/name": func(m map[string]any) { m["name"] = "ld-usage-mcp" },
		"description too long":    func(m map[string]any) { m["description"] = strings.Repeat("usage ", 20) },
		"short file digest": func(m map[string]any) {
			mcpbPackage(t, m)["fileSha256"] = "abc123"
		},
		"package version latest": func(m map[string]any) {
			mcpbPackage(t, m)["version"] = "latest"
		},
		"isSecret not a boolean": func(m map[string]any) {
			env := mcpbPackage(t, m)["environmentVariables"].([]any)
			env[0].(map[string]any)["isSecret"] = "yes"
		},
		"repository without source": func(m map[string]any) {
			delete(m["repository"].(map[string]any), "source")
		},
		"package without transport": func(m map[string]any) {
			delete(mcpbPackage(t, m), "transport")
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			breakIt(m)
			broken, err := json.Marshal(m)
			require.NoError(t, err)
			assert.Error(t, sch.Validate(instance(t, broken)))
		})
	}
}

func mcpbPackage(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	for _, p := range m["packages"].([]any) {
		if p := p.(map[string]any); p["registryType"] == "mcpb" {
			return p
		}
	}
	t.Fatal("no mcpb package")
	return nil
}

// serverJSON is the part of server.json the publish-time rules read.
type serverJSON struct {
	Schema     string `json:"$schema"`
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository struct {
		URL    string `json:"url"`
		Source string `json:"source"`
	} `json:"repository"`
	Packages []struct {
		RegistryType    string `json:"registryType"`
		RegistryBaseURL string `json:"registryBaseUrl"`
		Identifier      string `json:"identifier"`
		Version         string `json:"version"`
		FileSha256      string `json:"fileSha256"`
		Transport       struct {
			Type string `json:"type"`
		} `json:"transport"`
		PackageArguments []struct {
			Type  string `json:"type"`
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"packageArguments"`
		EnvironmentVariables []struct {
			Name     string `json:"name"`
			IsSecret bool   `json:"isSecret"`
		} `json:"environmentVariables"`
	} `json:"packages"`
}

func readServerJSON(t *testing.T) serverJSON {
	t.Helper()
	b, err := os.ReadFile(serverJSONPath())
	require.NoError(t, err)
	var s serverJSON
	require.NoError(t, json.Unmarshal(b, &s))
	return s
}

// placeholderSha256 stands in the repository's server.json for the bundle's
// digest, which only a release build knows: scripts/pack-mcpb writes the real
// one into dist/server.json, the file to publish.
const placeholderSha256 = "0000000000000000000000000000000000000000000000000000000000000000"

// TestServerJSONFollowsRegistryRules checks what the registry checks at
// publish time beyond the schema (its official-registry-requirements.md and
// package-types.mdx): the name's namespace, each package type's rules, and
// that the key is a secret.
func TestServerJSONFollowsRegistryRules(t *testing.T) {
	s := readServerJSON(t)
	m := regexp.MustCompile(`^https://github\.com/([^/]+)/([^/]+)$`).FindStringSubmatch(s.Repository.URL)
	require.NotNil(t, m, "repository.url is a GitHub repository: %q", s.Repository.URL)
	owner, repo := m[1], m[2]
	assert.Equal(t, "github", s.Repository.Source)
	assert.Equal(t, "io.github."+owner+"/"+repo, s.Name, "a GitHub-authenticated name is io.github.<owner>/<name>")
	assert.Regexp(t, `^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`, s.Version, "a specific semantic version, no v")

	types := map[string]int{}
	for _, p := range s.Packages {
		types[p.RegistryType]++
		assert.Empty(t, p.RegistryBaseURL, "%s: the official registry takes canonical identifiers", p.RegistryType)
		assert.NotContains(t, p.Identifier, " ")
		secret := false
		for _, e := range p.EnvironmentVariables {
			if e.Name == "LAUNCHDARKLY_API_KEY" {
				secret = e.IsSecret
			}
		}
		assert.True(t, secret, "%s: LAUNCHDARKLY_API_KEY is declared, with isSecret", p.RegistryType)
		assert.Equal(t, "stdio", p.Transport.Type, "%s: clients start the package and speak stdio", p.RegistryType)

		switch p.RegistryType {
		case "oci":
			assert.Empty(t, p.Version, "oci: the version is the identifier's tag")
			assert.Empty(t, p.FileSha256, "oci: no fileSha256")
			host, rest, _ := strings.Cut(p.Identifier, "/")
			assert.Contains(t, []string{"docker.io", "ghcr.io", "quay.io"}, host, "oci: a registry the official registry accepts")
			assert.Equal(t, owner+"/"+repo+":"+s.Version, rest, "oci: tagged with the server's version")
			// The image serves HTTP by default; a client that starts it speaks stdio.
			require.Len(t, p.PackageArguments, 1)
			assert.Equal(t, "--transport", p.PackageArguments[0].Name)
			assert.Equal(t, "stdio", p.PackageArguments[0].Value)
		case "mcpb":
			prefix := "https://github.com/" + owner + "/" + repo + "/releases/download/v" + s.Version + "/"
			assert.True(t, strings.HasPrefix(p.Identifier, prefix), "mcpb: a GitHub release asset of v%s: %s", s.Version, p.Identifier)
			assert.True(t, strings.HasSuffix(p.Identifier, ".mcpb"))
			assert.Contains(t, p.Identifier, "mcp", "mcpb: the URL must contain \"mcp\"")
			assert.Equal(t, s.Version, p.Version)
			assert.Regexp(t, `^[a-f0-9]{64}$`, p.FileSha256)
			if os.Getenv("SERVER_JSON") == "" {
				assert.Equal(t, placeholderSha256, p.FileSha256, "the repository's server.json is the template; scripts/pack-mcpb fills the digest")
			} else {
				assert.NotEqual(t, placeholderSha256, p.FileSha256, "a generated server.json carries the bundle's digest")
			}
		default:
			t.Errorf("unexpected package type %q", p.RegistryType)
		}
	}
	assert.Equal(t, map[string]int{"oci": 1, "mcpb": 1}, types, "the container image and the bundle of release binaries")
}

// TestContainerfileNamesTheServer: the registry verifies an OCI package by
// the image's io.modelcontextprotocol.server.name label.
func TestContainerfileNamesTheServer(t *testing.T) {
	s := readServerJSON(t)
	b, err := os.ReadFile("../Containerfile")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*(?:LABEL\s+)?io\.modelcontextprotocol\.server\.name="([^"]*)"`).FindSubmatch(b)
	require.NotNil(t, m, "Containerfile has LABEL io.modelcontextprotocol.server.name=…")
	assert.Equal(t, s.Name, string(m[1]))
}
