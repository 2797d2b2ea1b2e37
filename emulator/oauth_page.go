package emulator

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
)

// The emulated LaunchDarkly login page: server-rendered, no script. Each
// member is a submit button of one form that carries the authorization
// request back (POST /trust/oauth/authorize); "Cancel" declines.

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to LaunchDarkly (emulated)</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1d21}
h1{font-size:1.4rem} .note{color:#5c6270;font-size:.9rem}
button{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.7rem 1rem;border:1px solid #c8ccd4;border-radius:8px;background:#fff;font:inherit;cursor:pointer}
button:hover{border-color:#405bff} button small{display:block;color:#5c6270}
button.cancel{text-align:center;border:none;color:#5c6270}
code{background:#f1f2f5;padding:0 .25rem;border-radius:4px}
</style></head>
<body>
<h1>Sign in to LaunchDarkly</h1>
<p><strong>{{.Client}}</strong> asks to act for you in LaunchDarkly with the <code>{{.Scope}}</code> scope.
It never gets more than your role allows.</p>
<p class="note">This is the demo's emulated LaunchDarkly: choose a member of the demo account to sign in as.
You will be sent back to <code>{{.RedirectURI}}</code>.</p>
<form method="post" action="authorize">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{range .Members}}<button type="submit" name="member" value="{{.ID}}" id="member-{{.Role}}">Sign in as {{.Name}}
<small>{{.Email}} · {{.RoleTitle}}{{if .ReadsUsage}} · can read account usage{{else}} · cannot read account usage{{end}}</small></button>
{{end}}<button type="submit" name="deny" value="1" class="cancel">Cancel</button>
</form>
</body></html>
`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LaunchDarkly sign-in error (emulated)</title>
<style>body{font:16px/1.45 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><h1>Sign-in error</h1><p>{{.}}</p>
<p>The OAuth client that sent you here is misconfigured; you were not sent back to it.</p></body></html>
`))

type pageMember struct {
	Member
	RoleTitle string
}

func (e *Emulator) loginPage(w http.ResponseWriter, c OAuthClient, q url.Values) {
	hidden := map[string]string{}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state"} {
		if v := q.Get(k); v != "" {
			hidden[k] = v
		}
	}
	var ms []pageMember
	for _, m := range Members() {
		ms = append(ms, pageMember{m, roleTitle(m.Role)})
	}
	name := c.Name
	if name == "" {
		name = c.ID
	}
	var b bytes.Buffer
	_ = loginTmpl.Execute(&b, map[string]any{"Client": name, "Scope": q.Get("scope"),
		"RedirectURI": c.RedirectURI, "Hidden": hidden, "Members": ms})
	writePage(w, http.StatusOK, b.Bytes())
}

func (e *Emulator) errorPage(w http.ResponseWriter, status int, msg string) {
	var b bytes.Buffer
	_ = errorTmpl.Execute(&b, msg)
	writePage(w, status, b.Bytes())
}

func writePage(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	// No form-action: browsers apply it to the redirect after the form too,
	// and that redirect goes to the client's own origin.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
