// Command ld-usage-mcp is an MCP server that answers questions about a
// LaunchDarkly account's usage (MAU, contexts, evaluations, streams, events,
// experimentation, data export, service connections, observability, SDKs)
// from LaunchDarkly's Account usage (beta) API.
//
//	ld-usage-mcp                         MCP over stdio (what MCP clients spawn)
//	ld-usage-mcp --transport http        MCP streamable HTTP at /mcp
//	ld-usage-mcp tools                   list the tools
//	ld-usage-mcp call TOOL name=value…   run one tool call and print its summary
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // tz arguments name IANA zones; a container built FROM scratch has no zoneinfo

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/server"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// Exit codes of the command line.
const (
	exitOK    = 0
	exitTool  = 1 // a tool call ended in a tool error
	exitUsage = 2 // bad flags or arguments
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// options are the parsed flags and environment: the server's configuration
// and what only the command line uses.
type options struct {
	server.Config
	tools, toolsets, exclude     string
	entitlements                 string
	allowedOrigins, allowedHosts string
	logLevel                     string
	jsonOut, showVersion         bool
	signIn                       signInOptions
}

func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ld-usage-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Transport, "transport", "stdio", "MCP transport: stdio, sse or http")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "listen address HOST:PORT for sse/http")
	fs.Func("api-key", "LaunchDarkly API access token (default $LAUNCHDARKLY_API_KEY, or the file $LAUNCHDARKLY_API_KEY_FILE names)", func(s string) error {
		o.APIKey = client.Key(s)
		return nil
	})
	fs.StringVar(&o.ServerURL, "server-url", "", "LaunchDarkly base URL (default $LAUNCHDARKLY_SERVER_URL or "+client.Commercial+")")
	fs.BoolVar(&o.Demo, "demo", false, "serve synthetic usage data from the built-in emulator: no key, no network")
	fs.StringVar(&o.tools, "tools", "", "comma-separated tools to expose (with --toolsets: added to them)")
	fs.StringVar(&o.toolsets, "toolsets", "", "comma-separated toolsets to expose (default all): "+strings.Join(tools.Toolsets(), ", "))
	fs.StringVar(&o.exclude, "exclude-tools", "", "comma-separated tools to hide")
	fs.StringVar(&o.entitlements, "entitlements", "", "the plan's monthly entitlements for the overview, e.g. client-mau=100000,service-connections=40 (default $LD_USAGE_MCP_ENTITLEMENTS); names: "+strings.Join(overview.EntitlementNames(), ", "))
	fs.StringVar(&o.logLevel, "log-level", "info", "log level on stderr: debug, info, warn, error")
	fs.DurationVar(&o.CallTimeout, "call-timeout", tools.DefaultCallTimeout, "budget of one tool call, retries included")
	fs.BoolVar(&o.NoCache, "no-cache", false, "do not cache LaunchDarkly answers")
	fs.BoolVar(&o.jsonOut, "json", false, "with call: print the whole result as JSON")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&o.HTTP.AuthToken, "auth-token", "", "sse/http: require every request but /healthz to carry Authorization: Bearer `token` (default $LD_USAGE_MCP_AUTH_TOKEN, or the file $LD_USAGE_MCP_AUTH_TOKEN_FILE names)")
	fs.StringVar(&o.allowedOrigins, "allowed-origins", "", "sse/http: comma-separated browser origins allowed besides loopback ones, e.g. https://chat.example.com (their hosts are allowed too); * allows any")
	fs.StringVar(&o.allowedHosts, "allowed-hosts", "", "sse/http: comma-separated host names the Host header may carry besides loopback ones, e.g. mcp.example.com; * allows any")
	fs.BoolVar(&o.HTTP.Metrics, "metrics", false, "sse/http: serve Prometheus metrics at /metrics")
	fs.StringVar(&o.Redis, "redis", "", "redis:// or rediss:// `URL` of a Redis shared by replicas: answers, identical requests and rate-limit windows (default $LD_USAGE_MCP_REDIS_URL; password from the URL, $LD_USAGE_MCP_REDIS_PASSWORD or the file $LD_USAGE_MCP_REDIS_PASSWORD_FILE names); needs --secret")
	fs.StringVar(&o.Secret, "secret", "", "the deployment's `secret`, the same on every replica: authenticates what is written to Redis (default $LD_USAGE_MCP_SECRET, or the file $LD_USAGE_MCP_SECRET_FILE names)")
	fs.IntVar(&o.HTTP.MaxSessions, "max-sessions", server.DefaultMaxSessions, "sse: SSE streams open at once; more get 503")
	fs.IntVar(&o.HTTP.MaxSessionCalls, "max-session-calls", server.DefaultMaxSessionCalls, "sse: calls in flight per SSE session; more get 429")
	fs.IntVar(&o.HTTP.MaxConnections, "max-connections", server.DefaultMaxConnections, "sse/http: client connections open at once; more wait to be accepted")
	fs.DurationVar(&o.RedisTimeout, "redis-timeout", client.DefaultRedisTimeout, "with --redis: past this, a Redis operation is given up and the replica serves from its own layers")
	fs.Int64Var(&o.HTTP.MaxBody, "max-request-bytes", server.DefaultMaxBody, "sse/http: largest request body accepted (larger ones get 413)")
	addSignInFlags(fs, &o.signIn)
	fs.Usage = func() { usage(fs, stderr) }
	return fs
}

// fromEnv completes o from the environment and the list flags.
func (o *options) fromEnv(getenv func(string) string) error {
	if o.APIKey == "" {
		k, err := secretFromEnv(getenv, "LAUNCHDARKLY_API_KEY")
		if err != nil {
			return err
		}
		o.APIKey = client.Key(k)
	}
	if o.Secret == "" {
		var err error
		if o.Secret, err = secretFromEnv(getenv, "LD_USAGE_MCP_SECRET"); err != nil {
			return err
		}
	}
	if o.ServerURL == "" {
		o.ServerURL = getenv("LAUNCHDARKLY_SERVER_URL")
	}
	if o.ServerURL == "" {
		o.ServerURL = client.Commercial
	}
	if o.HTTP.AuthToken == "" {
		var err error
		if o.HTTP.AuthToken, err = secretFromEnv(getenv, "LD_USAGE_MCP_AUTH_TOKEN"); err != nil {
			return err
		}
	}
	if o.Redis == "" {
		o.Redis = getenv("LD_USAGE_MCP_REDIS_URL")
	}
	var err error
	if o.RedisPassword, err = secretFromEnv(getenv, "LD_USAGE_MCP_REDIS_PASSWORD"); err != nil {
		return err
	}
	if o.Redis != "" && o.Secret == "" {
		return errors.New("--redis needs the deployment's secret: set LD_USAGE_MCP_SECRET (or LD_USAGE_MCP_SECRET_FILE, or --secret) " +
			"to the same random value on every replica, e.g. $(openssl rand -hex 32); it authenticates what the replicas write to Redis")
	}
	o.HTTP.AllowedOrigins = server.SplitList(o.allowedOrigins)
	o.HTTP.AllowedHosts = server.SplitList(o.allowedHosts)
	o.Selection = tools.Selection{
		Toolsets: server.SplitList(o.toolsets),
		Tools:    server.SplitList(o.tools),
		Exclude:  server.SplitList(o.exclude),
	}
	o.Version = version
	if o.entitlements == "" {
		o.entitlements = getenv("LD_USAGE_MCP_ENTITLEMENTS")
	}
	if o.Entitlements, err = overview.ParseEntitlements(o.entitlements); err != nil {
		return fmt.Errorf("--entitlements: %w", err)
	}
	return nil
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, `ld-usage-mcp %s: an MCP server for LaunchDarkly account usage.

Usage:
  ld-usage-mcp [flags]                        serve MCP (stdio unless --transport)
  ld-usage-mcp [flags] tools                  list the tools
  ld-usage-mcp [flags] tools TOOL             a tool's arguments (also: call TOOL --help)
  ld-usage-mcp [flags] call TOOL [name=value ...] [--json]
                                              run one tool call; a repeated name makes an array
Examples:
  ld-usage-mcp --demo call get_total_mau_usage groupBy=sdkName
  ld-usage-mcp --demo --entitlements client-mau=100000,service-connections=40 call get_usage_overview
  LAUNCHDARKLY_API_KEY=api-… ld-usage-mcp call get_stream_usage source=server from=-7d

Flags:
`, version)
	fs.PrintDefaults()
}

// parseArgs parses flags anywhere on the line (before or after the subcommand)
// and returns the positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		rest = fs.Args()
		for len(rest) > 0 && !isFlag(rest[0]) {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
	}
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func isFlag(s string) bool { return len(s) > 1 && s[0] == '-' }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	var o options
	fs := newFlagSet(&o, stderr)
	args, help := takeHelp(args)
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	toolHelpAsked := len(pos) == 2 && pos[0] == "tools" || len(pos) >= 2 && pos[0] == "call" && help
	if help && !toolHelpAsked {
		fs.Usage()
		return exitOK
	}
	if o.showVersion {
		printVersion(stdout)
		return exitOK
	}
	// Before the environment completes them: only what the flags gave.
	warnArgvSecrets(stderr, argvSecrets(map[string]string{"api-key": o.APIKey.Reveal(), "secret": o.Secret,
		"auth-token": o.HTTP.AuthToken, "redis": o.Redis}, o.Redis))
	if err := o.fromEnv(getenv); err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return exitUsage
	}
	if o.Redis != "" && len(o.Secret) < client.MinSecretBytes {
		fmt.Fprintf(stderr, "ld-usage-mcp: warning: the deployment's secret is shorter than %d characters and may be guessed; use e.g. $(openssl rand -hex 32)\n", client.MinSecretBytes)
	}
	if len(pos) > 0 && !flagSet(fs, "log-level") {
		o.logLevel = "error" // one-shot commands print their answer (and tool errors) themselves
	}
	if o.Logger, err = newLogger(stderr, o.logLevel); err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return exitUsage
	}
	if o.SignIn, err = o.signIn.signInConfig(getenv, o.Transport, o.Demo, len(pos) > 0); err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return exitUsage
	}
	switch o.Transport {
	case "stdio", "http", "sse":
	default:
		if len(pos) == 0 {
			fmt.Fprintf(stderr, "ld-usage-mcp: unknown --transport %q: use stdio, sse or http\n", o.Transport)
			return exitUsage
		}
	}

	srv, err := server.New(o.Config)
	if err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return exitUsage
	}
	defer srv.Close()

	if len(pos) > 0 {
		switch pos[0] {
		case "tools":
			if len(pos) > 2 {
				fmt.Fprintln(stderr, "ld-usage-mcp: tools takes one tool name at most: ld-usage-mcp tools [TOOL]")
				return exitUsage
			}
			if toolHelpAsked {
				return showToolHelp(srv.Tools(), pos[1], stdout, stderr)
			}
			listTools(stdout, srv.Tools())
			return exitOK
		case "call":
			if toolHelpAsked {
				return showToolHelp(srv.Tools(), pos[1], stdout, stderr)
			}
			return callCommand(ctx, srv.Tools(), pos[1:], o.jsonOut, stdout, stderr)
		default:
			fmt.Fprintf(stderr, "ld-usage-mcp: unknown command %q (commands: tools, call; see --help)\n", pos[0])
			return exitUsage
		}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.Transport == "stdio" && isTerminal(stdin) {
		fmt.Fprintf(stderr, "ld-usage-mcp %s: an MCP server for LaunchDarkly account usage, speaking MCP (JSON-RPC) on stdin/stdout.\n"+
			"It is meant to be started by an MCP client (Claude Desktop, Claude Code, Cursor, VS Code): see README.md.\n"+
			"To try it by hand:  ld-usage-mcp --demo call get_total_mau_usage groupBy=sdkName   (or: ld-usage-mcp tools, --help).\n"+
			"Waiting for MCP messages on stdin; Ctrl-C to quit.\n", version)
	}
	if err := srv.Serve(ctx, stdin, stdout); err != nil {
		o.Logger.Error("server stopped", "err", err)
		return 1
	}
	return exitOK
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func listTools(w io.Writer, ts *tools.Server) {
	for _, t := range ts.List() {
		fmt.Fprintf(w, "%-34s %s\n", t.Name, t.Description)
	}
}

// callCommand runs one tool call through an in-process MCP client session, so
// that the command line exercises exactly the code MCP clients reach.
func callCommand(ctx context.Context, ts *tools.Server, args []string, jsonOut bool, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "ld-usage-mcp: call needs a tool name: ld-usage-mcp call TOOL [name=value ...]; tools: ld-usage-mcp tools")
		return exitUsage
	}
	name := args[0]
	if !ts.Has(name) {
		if toolset := tools.ToolsetOf(name); toolset != "" {
			fmt.Fprintf(stderr, "ld-usage-mcp: tool %s is not enabled: it belongs to toolset %q (see --toolsets, --tools, --exclude-tools)\n", name, toolset)
		} else {
			fmt.Fprintf(stderr, "ld-usage-mcp: unknown tool %q; run `ld-usage-mcp tools` to list them\n", name)
		}
		return exitUsage
	}
	arguments, err := callArguments(args[1:])
	if err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return exitUsage
	}

	c, err := mcpclient.NewInProcessClient(ts.MCP())
	if err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return 1
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return 1
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "ld-usage-mcp-cli", Version: version}
	if _, err := c.Initialize(ctx, init); err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return 1
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = arguments
	res, err := c.CallTool(ctx, req)
	if err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return 1
	}
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Content           []mcp.Content `json:"content"`
			StructuredContent any           `json:"structuredContent,omitempty"`
			IsError           bool          `json:"isError"`
		}{res.Content, res.StructuredContent, res.IsError})
	} else {
		for _, ct := range res.Content {
			if tc, ok := ct.(mcp.TextContent); ok {
				fmt.Fprintln(stdout, tc.Text)
			}
		}
	}
	if res.IsError {
		return exitTool
	}
	return exitOK
}

// callArguments turns name=value pairs into a JSON object; a repeated name makes an array.
func callArguments(pairs []string) (map[string]any, error) {
	multi := map[string][]string{}
	var order []string
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("argument %q is not name=value", p)
		}
		if _, seen := multi[k]; !seen {
			order = append(order, k)
		}
		multi[k] = append(multi[k], v)
	}
	sort.Strings(order)
	out := make(map[string]any, len(multi))
	for _, k := range order {
		if vs := multi[k]; len(vs) == 1 {
			out[k] = vs[0]
		} else {
			arr := make([]any, len(vs))
			for i, v := range vs {
				arr[i] = v
			}
			out[k] = arr
		}
	}
	return out, nil
}
