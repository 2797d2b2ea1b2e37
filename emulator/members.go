package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// The account's members, who sign in on the emulated LaunchDarkly login
// page (see oauth.go), and the two read-only routes that say who is calling:
//
//	GET /api/v2/caller-identity  (CallerIdentityRep)
//	GET /api/v2/members/{id}     (MemberRep: email, name, role)
//
// Roles are LaunchDarkly's built-in ones ("admin", "reader", "no_access");
// a member whose role cannot read account usage gets LaunchDarkly's 403 from
// the usage and projects APIs when calling with their OAuth token.

// Member is a member of the emulated account.
type Member struct {
	ID        string // LaunchDarkly's _id (24 hex digits)
	Email     string
	FirstName string
	LastName  string
	Role      string // built-in role: admin, reader or no_access
	// ReadsUsage is whether the member's role may read account usage.
	ReadsUsage bool
}

// Name is the member's full name.
func (m Member) Name() string { return strings.TrimSpace(m.FirstName + " " + m.LastName) }

// AccountID is the emulated account's id, as caller-identity names it.
const AccountID = "5e1dac0a11c0ffee0ddba11a"

// The emulated account's members, as the login page lists them.
var (
	Admin    = Member{ID: "5e1dac0a11c0ffee00000001", Email: "ada.admin@example.com", FirstName: "Ada", LastName: "Admin", Role: "admin", ReadsUsage: true}
	Reader   = Member{ID: "5e1dac0a11c0ffee00000002", Email: "rey.reader@example.com", FirstName: "Rey", LastName: "Reader", Role: "reader", ReadsUsage: true}
	NoAccess = Member{ID: "5e1dac0a11c0ffee00000003", Email: "noa.noaccess@example.com", FirstName: "Noa", LastName: "Noaccess", Role: "no_access"}
)

// Members lists the account's members: an admin, a reader and a member
// whose role (No access) cannot read usage.
func Members() []Member { return []Member{Admin, Reader, NoAccess} }

func memberByID(id string) (Member, bool) {
	for _, m := range Members() {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}

// roleTitle names a built-in role as LaunchDarkly's UI does.
func roleTitle(role string) string {
	switch role {
	case "admin":
		return "Admin"
	case "reader":
		return "Reader"
	case "writer":
		return "Writer"
	case "owner":
		return "Owner"
	case "no_access":
		return "No access"
	}
	return role
}

// caller is who makes a request: a plain access token (the demo token or
// one of Options.Keys, acting as the admin) or an OAuth access token the
// emulator issued to a member.
type caller struct {
	member   Member
	oauth    bool
	clientID string // the OAuth client the token was issued to
}

const (
	callerIdentityPath = "/api/v2/caller-identity"
	membersPrefix      = "/api/v2/members/"
)

// identityRoute reports whether path is one of the routes of this file.
func identityRoute(path string) bool {
	return path == callerIdentityPath || strings.HasPrefix(path, membersPrefix)
}

// serveIdentity answers caller-identity and members/{id} for an authorised
// caller. Neither is a beta API: no LD-API-Version needed.
func (e *Emulator) serveIdentity(w http.ResponseWriter, r *http.Request, c caller) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed")
		return
	}
	if r.URL.Path == callerIdentityPath {
		writeJSON(w, http.StatusOK, callerIdentity(c))
		return
	}
	id, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), membersPrefix))
	m, ok := memberByID(id)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "not_found", "Invalid resource identifier")
		return
	}
	if c.oauth && !c.member.ReadsUsage && m.ID != c.member.ID {
		writeError(w, http.StatusForbidden, "forbidden", "Forbidden. Access to the requested resource was denied.")
		return
	}
	writeJSON(w, http.StatusOK, memberRep(m))
}

// callerIdentity is CallerIdentityRep (api-client-go): which account, which
// kind of credential and which member. authKind and tokenKind take the
// values "oauth" for OAuth tokens and "token"/"personal" for access tokens.
func callerIdentity(c caller) []byte {
	rep := struct {
		AccountID    string `json:"accountId"`
		AuthKind     string `json:"authKind"`
		TokenKind    string `json:"tokenKind"`
		ClientID     string `json:"clientId,omitempty"`
		TokenID      string `json:"tokenId,omitempty"`
		TokenName    string `json:"tokenName,omitempty"`
		MemberID     string `json:"memberId"`
		ServiceToken bool   `json:"serviceToken"`
	}{AccountID: AccountID, MemberID: c.member.ID}
	if c.oauth {
		rep.AuthKind, rep.TokenKind, rep.ClientID = "oauth", "oauth", c.clientID
	} else {
		rep.AuthKind, rep.TokenKind, rep.TokenID, rep.TokenName = "token", "personal", "5e1dac0a11c0ffee0000d001", "Demo access token"
	}
	b, _ := json.Marshal(rep)
	return b
}

// memberRep is MemberRep's fields that say who a member is.
func memberRep(m Member) []byte {
	b, _ := json.Marshal(struct {
		Links     links  `json:"_links"`
		ID        string `json:"_id"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Role      string `json:"role"`
		Verified  bool   `json:"_verified"`
		Pending   bool   `json:"_pendingInvite"`
	}{self(membersPrefix + m.ID), m.ID, m.Email, m.FirstName, m.LastName, m.Role, true, false})
	return b
}
