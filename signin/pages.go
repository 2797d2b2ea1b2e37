package signin

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
)

// The pages people see: the consent page and the error page. Server-rendered
// with html/template (which escapes what clients chose, such as their names),
// framed by no one, cached by no one.

var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · LaunchDarkly usage</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f}
.box{border:1px solid #d0d0d7;border-radius:8px;padding:1.25rem 1.5rem}
code{background:#f1f1f4;padding:.1rem .3rem;border-radius:4px;word-break:break-all}
.warn{color:#8a5300}.buttons{display:flex;gap:.75rem;margin-top:1.25rem}
button{font:inherit;padding:.5rem 1.1rem;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
button[name=approve]{background:#405bff;border-color:#405bff;color:#fff}
</style></head><body>{{end}}

{{define "consent"}}{{template "head" "Allow access"}}
<div class="box">
<h1>Allow {{.Name}} to read your LaunchDarkly usage?</h1>
<p><strong>{{.Name}}</strong> wants to read your LaunchDarkly account's usage through this server, as you: it will see what your LaunchDarkly role lets you see, and nothing else.</p>
<p>Client: <code>{{.ClientID}}</code>{{if .FromDocument}} (described by the document at that address){{else}} <span class="warn">(registered itself with this name; make sure you started this sign-in)</span>{{end}}</p>
<p>After you sign in, you will be sent back to <code>{{.Redirect}}</code> (host <strong>{{.RedirectHost}}</strong>).</p>
<p>Next, LaunchDarkly asks you to sign in and to allow read access (<code>reader</code>).</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.Request}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<div class="buttons"><button type="submit" name="approve" value="yes">Allow and sign in with LaunchDarkly</button>
<button type="submit" name="deny" value="yes">Deny</button></div>
</form>
</div></body></html>{{end}}

{{define "error"}}{{template "head" "Sign-in stopped"}}
<div class="box"><h1>Sign-in stopped</h1><p>{{.}}</p></div></body></html>{{end}}
`))

func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}

func (s *Server) renderConsent(w http.ResponseWriter, c *clientRec, redirect, request, csrf string) {
	host := redirect
	if u, err := url.Parse(redirect); err == nil {
		host = u.Host
	}
	var b bytes.Buffer
	err := pages.ExecuteTemplate(&b, "consent", map[string]any{
		"Name": c.displayName(), "ClientID": c.ID, "FromDocument": c.FromDocument,
		"Redirect": redirect, "RedirectHost": host,
		"Action": PathConsent, "Request": request, "CSRF": csrf,
	})
	if err != nil {
		s.errorPage(w, http.StatusInternalServerError, "The consent page could not be drawn.")
		return
	}
	setPageHeaders(w.Header())
	_, _ = w.Write(b.Bytes())
}

func (s *Server) errorPage(w http.ResponseWriter, status int, msg string) {
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	_ = pages.ExecuteTemplate(w, "error", msg)
}
