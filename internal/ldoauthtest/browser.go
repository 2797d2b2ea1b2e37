package ldoauthtest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a person's browser: it keeps cookies, follows the sign-in's
// redirects between the server and LaunchDarkly, and submits the consent
// form as a browser would. It stops at the first redirect that leaves both.
type Browser struct {
	C     *http.Client
	hosts map[string]bool // hosts whose redirects it follows: the server's and LaunchDarkly's
}

// NewBrowser returns a browser that follows redirects among the given base URLs.
func NewBrowser(t testing.TB, bases ...string) *Browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{hosts: map[string]bool{}}
	for _, u := range bases {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		b.hosts[p.Host] = true
	}
	b.C = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return b
}

// Page is an answer the browser stopped at.
type Page struct {
	Status   int
	Location string // the redirect that left the server and LaunchDarkly, if any
	Body     string
	URL      string
}

// Form is the consent page's form.
type Form struct {
	Action string
	Fields url.Values
}

var (
	formRE   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// ParseForm reads the consent form of a page (nil when there is none).
func ParseForm(page *Page) *Form {
	m := formRE.FindStringSubmatch(page.Body)
	if m == nil {
		return nil
	}
	action, err := url.Parse(page.URL)
	if err != nil {
		return nil
	}
	ref, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		return nil
	}
	f := &Form{Action: action.ResolveReference(ref).String(), Fields: url.Values{}}
	for _, h := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
		f.Fields.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return f
}

// Get fetches u and follows the redirects among the server and LaunchDarkly.
func (b *Browser) Get(u string) (*Page, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return b.do(req)
}

// Submit posts form fields (plus extra) to the form's action, as a browser
// would (with the server's Origin), and follows the redirects.
func (b *Browser) Submit(f *Form, extra url.Values) (*Page, error) {
	v := url.Values{}
	for k, vs := range f.Fields {
		v[k] = vs
	}
	for k, vs := range extra {
		v[k] = vs
	}
	req, err := http.NewRequest(http.MethodPost, f.Action, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a, err := url.Parse(f.Action); err == nil {
		req.Header.Set("Origin", a.Scheme+"://"+a.Host)
	}
	return b.do(req)
}

func (b *Browser) do(req *http.Request) (*Page, error) {
	for hops := 0; hops < 10; hops++ {
		resp, err := b.C.Do(req)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return &Page{Status: resp.StatusCode, Body: string(body), URL: req.URL.String()}, nil
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, err
		}
		if !b.hosts[next.Host] {
			return &Page{Status: resp.StatusCode, Location: next.String(), URL: req.URL.String()}, nil
		}
		if req, err = http.NewRequest(http.MethodGet, next.String(), nil); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("more than 10 redirects")
}

// Consent opens an authorization URL, approves the consent page, and
// returns where the server sent the browser back (the client's redirect URI
// with code and state, or an error).
func (b *Browser) Consent(authURL string) (*url.URL, error) {
	page, err := b.Get(authURL)
	if err != nil {
		return nil, err
	}
	if page.Location != "" {
		return url.Parse(page.Location)
	}
	f := ParseForm(page)
	if f == nil {
		return nil, fmt.Errorf("no consent form (HTTP %d): %.300s", page.Status, page.Body)
	}
	page, err = b.Submit(f, url.Values{"approve": {"yes"}})
	if err != nil {
		return nil, err
	}
	if page.Location == "" {
		return nil, fmt.Errorf("the consent did not lead back to the client (HTTP %d): %.300s", page.Status, page.Body)
	}
	return url.Parse(page.Location)
}
