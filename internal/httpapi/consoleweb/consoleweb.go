// Package consoleweb is the manager console's handler set, the console
// function's one: sign-in (OpenID Connect, or leadgate local's token form),
// the session cookie, CSRF-checked forms and the pages package console
// renders, answered through the edge's one Router (package edge). It is a
// package of its own, like the public endpoints, so that the console
// function links none of the API's handler sets (nor what they read: YAML
// definitions, badge-scan files).
package consoleweb

import (
	"bytes"
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/export"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/oidc"
	"github.com/leadgate/leadgate/internal/session"
)

// IdentityProvider signs people in to the console: the OpenID Connect
// authorization-code flow with PKCE (internal/oidc).
type IdentityProvider interface {
	Begin(ctx context.Context, redirectURL string) (authURL string, p oidc.Pending, err error)
	Finish(ctx context.Context, p oidc.Pending, state, code string) (*oidc.Identity, error)
}

// Config is what the console's edge needs.
type Config struct {
	Service *console.Service
	Sealer  *session.Sealer
	// IdP signs people in; nil where LocalToken is set instead.
	IdP IdentityProvider
	// LocalToken, set only by leadgate local, turns on the token sign-in
	// form: the one bearer token the local API accepts, under a role.
	LocalToken string
	// RepClaim is the access-token claim that names a rep (scopes.DefaultRepClaim
	// when empty).
	RepClaim string
	Log      *slog.Logger
	Now      func() time.Time
}

// Cookies the console sets. Both are scoped to /console, HttpOnly and
// SameSite=Lax; Secure except on leadgate local's plain-HTTP loopback.
const (
	sessionCookie = "leadgate_console"
	loginCookie   = "leadgate_console_login"
	// loginTTL is how long a sign-in may take, from the login page (or
	// the identity provider's) to the form or callback.
	loginTTL = 10 * time.Minute
	// maxFormBytes bounds a console form's body.
	maxFormBytes = 16 << 10
)

// localRoles are the roles leadgate local's sign-in offers, each a set of
// the API's scopes: two people on two sides can sign one draft.
var localRoles = []struct {
	console.Role
	scopes []string
}{
	{console.Role{ID: "operator", Label: "Operator (every scope)"}, scopes.All},
	{console.Role{ID: "marketing", Label: "Marketing manager (signs for marketing)"}, []string{scopes.CampaignsRead, scopes.CampaignsWrite, scopes.LeadsRead, scopes.ApproveMarketing}},
	{console.Role{ID: "sales", Label: "Sales manager (signs for sales, reassigns)"}, []string{scopes.CampaignsRead, scopes.LeadsRead, scopes.SalesManager, scopes.ApproveSales}},
	{console.Role{ID: "viewer", Label: "Viewer (reads campaigns only)"}, []string{scopes.CampaignsRead}},
}

// Console serves the manager console: pages behind a signed session
// cookie, with the same scopes as the API deciding what each shows.
type Console struct {
	Config
	secure bool
}

// pendingLogin is what the login cookie holds between the login page and
// the form post or the identity provider's callback.
type pendingLogin struct {
	ID   string       `json:"id"`
	Next string       `json:"next,omitempty"`
	OIDC oidc.Pending `json:"oidc,omitzero"`
}

// idRules say what each path parameter of the console's routes may hold.
var idRules = map[string]edge.IDRule{"campaignId": edge.CampaignID, "draftId": edge.DraftID, "leadId": edge.LeadID}

// New returns the console as a Handler.
func New(cfg Config) edge.Handler {
	cfg.RepClaim = cmp.Or(cfg.RepClaim, scopes.DefaultRepClaim)
	c := &Console{Config: cfg, secure: cfg.LocalToken == ""}
	rt := &edge.Router{Log: cfg.Log, IDs: idRules, Fail: c.failure, Routes: map[string]edge.Route{
		"GET /console/login":    c.login,
		"POST /console/login":   c.localLogin,
		"GET /console/callback": c.callback,
		"POST /console/logout":  c.page(nil, c.logout),

		"GET /console":                                                   c.page([]string{scopes.CampaignsRead}, c.campaigns),
		"GET /console/campaigns/{campaignId}":                            c.page([]string{scopes.CampaignsRead}, c.campaign),
		"GET /console/campaigns/{campaignId}/leads.csv":                  c.page([]string{scopes.LeadsRead}, c.csv),
		"POST /console/campaigns/{campaignId}/drafts/{draftId}/decision": c.page([]string{scopes.CampaignsRead}, c.decide),
		"POST /console/campaigns/{campaignId}/drafts/{draftId}/preview":  c.page([]string{scopes.CampaignsRead}, c.preview),
		"GET /console/leads":                                             c.page([]string{scopes.LeadsRead}, c.lookup),
		"GET /console/leads/{leadId}":                                    c.page([]string{scopes.LeadsRead}, c.lead),
		"POST /console/leads/{leadId}/assign":                            c.page([]string{scopes.SalesManager}, c.assign),
		"GET /console/queue":                                             c.page([]string{scopes.LeadsRead}, c.queue),
	}}
	return rt.Handle
}

// pageRoute answers a console page for a signed-in person.
type pageRoute func(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error)

// page is every console route's one shape: authorize (the session cookie
// and the scopes), check the CSRF token of a form, then the route, which
// decodes, calls one console service and renders.
func (c *Console) page(need []string, fn pageRoute) edge.Route {
	return func(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		s, ok := c.session(req)
		if !ok {
			if req.RequestContext.HTTP.Method != http.MethodGet {
				return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNAUTHORIZED, "Your session has ended: sign in again.")
			}
			return c.redirect("/console/login?next=" + url.QueryEscape(requestPath(req))), nil
		}
		for _, scope := range need {
			if !s.Has(scope) {
				return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "This page needs the scope %s, which your sign-in does not grant.", scope)
			}
		}
		if req.RequestContext.HTTP.Method == http.MethodPost {
			form, err := c.form(req)
			if err != nil {
				return events.APIGatewayV2HTTPResponse{}, err
			}
			if !c.Sealer.CheckCSRF(s, form.Get("csrf")) {
				return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The form was not sent from a page of this console (its CSRF token is missing or wrong): reload the page and try again.")
			}
		}
		return fn(ctx, req, s)
	}
}

// session returns the signed-in session, if the request carries a good one.
func (c *Console) session(req *events.APIGatewayV2HTTPRequest) (session.Session, bool) {
	v := edge.Cookie(req, sessionCookie)
	if v == "" {
		return session.Session{}, false
	}
	var s session.Session
	if err := c.Sealer.Open(sessionCookie, v, &s); err != nil {
		return session.Session{}, false
	}
	return s, true
}

// viewer is what a page may offer the session's person.
func (c *Console) viewer(s session.Session) console.Viewer {
	v := console.Viewer{Name: s.Name(), CSRF: c.Sealer.CSRF(s), LeadsRead: s.Has(scopes.LeadsRead), Manager: s.Has(scopes.SalesManager)}
	v.Sides = c.caller(s).Signer().Sides
	return v
}

// caller is the session as the API's caller, so the console signs and
// answers exactly as the same person's token would.
func (c *Console) caller(s session.Session) scopes.Caller {
	claims := map[string]string{"sub": s.Subject}
	if s.Email != "" {
		claims["email"] = s.Email
	}
	if s.Username != "" {
		claims["username"] = s.Username
	}
	return scopes.Caller{ID: s.Name(), Scopes: s.Scopes, Claims: claims}
}

func (c *Console) render(status int, page string, v console.View) (events.APIGatewayV2HTTPResponse, error) {
	if v.Now.IsZero() {
		v.Now = c.Now()
	}
	var b bytes.Buffer
	if err := console.Render(&b, page, v); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp := edge.TextResponse(status, "text/html; charset=utf-8", b.String())
	resp.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	resp.Headers["Referrer-Policy"] = "same-origin"
	return resp, nil
}

// failure answers an error with a page saying what went wrong; an internal
// error's detail stays in the log.
func (c *Console) failure(req *events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	_, kind := edge.KindOf(err)
	var v console.View
	if s, ok := c.session(req); ok {
		v.Viewer = c.viewer(s)
	}
	v.Title = kind.Title
	v.Page = console.ErrorPage{Heading: kind.Title, Message: leadgate.ErrorMessage(err), Problems: leadgate.ErrorProblems(err), Back: back(req)}
	resp, rerr := c.render(kind.Status, console.PageError, v)
	if rerr != nil {
		c.Log.Error("render the error page", "error", rerr.Error())
		return edge.TextResponse(kind.Status, "text/plain; charset=utf-8", leadgate.ErrorMessage(err))
	}
	return resp
}

// back is where an error page's "go back" goes: the page the form was on,
// or the console's front page.
func back(req *events.APIGatewayV2HTTPRequest) string {
	if req.RequestContext.HTTP.Method == http.MethodGet {
		return "/console"
	}
	// The page a form was on: a draft's decision or preview is on its
	// campaign's page (the draft part is cut below), a reassignment on the
	// lead's.
	p := req.RawPath
	for _, action := range []string{"/decision", "/preview", "/assign"} {
		p = strings.TrimSuffix(p, action)
	}
	if campaign, _, ok := strings.Cut(p, "/drafts/"); ok {
		p = campaign
	}
	return localPath(p)
}

func (c *Console) redirect(to string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusSeeOther, Headers: map[string]string{"Location": to}}
}

func (c *Console) setCookie(name, value string, expires time.Time) string {
	ck := &http.Cookie{Name: name, Value: value, Path: "/console", HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.MaxAge = max(int(expires.Sub(c.Now()).Seconds()), 1)
	}
	return ck.String()
}

// login shows the sign-in form locally, or starts the identity provider's
// sign-in. Already signed in, it goes where it was asked to.
func (c *Console) login(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	next := localPath(req.QueryStringParameters["next"])
	if _, ok := c.session(req); ok {
		return c.redirect(next), nil
	}
	pl := pendingLogin{ID: session.NewID(), Next: next}
	if c.LocalToken == "" && req.QueryStringParameters["out"] != "" {
		// Just signed out: a page, not the identity provider, whose own
		// session would sign the person straight back in (and whose origin
		// form-action 'self' refuses at the end of the sign-out form).
		return c.render(http.StatusOK, console.PageLogin, console.View{Title: "Sign in", Flash: "You are signed out.", Page: console.LoginPage{}})
	}
	if c.LocalToken == "" {
		if c.IdP == nil {
			return events.APIGatewayV2HTTPResponse{}, errors.New("console: no identity provider is configured")
		}
		// Back to the domain the browser called: the template cannot name
		// the API's own URL in the function's environment.
		authURL, p, err := c.IdP.Begin(ctx, "https://"+req.RequestContext.DomainName+"/console/callback")
		if err != nil {
			c.Log.ErrorContext(ctx, "console sign-in cannot start", "error", err.Error())
			return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNAVAILABLE, "The sign-in service cannot be reached: try again in a minute.")
		}
		pl.OIDC = p
		resp := c.redirect(authURL)
		if err := c.setLogin(&resp, pl); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return resp, nil
	}
	return c.loginForm(pl, "", http.StatusOK)
}

func (c *Console) loginForm(pl pendingLogin, problem string, status int) (events.APIGatewayV2HTTPResponse, error) {
	roles := make([]console.Role, 0, len(localRoles))
	for _, r := range localRoles {
		roles = append(roles, r.Role)
	}
	resp, err := c.render(status, console.PageLogin, console.View{Title: "Sign in", Page: console.LoginPage{Local: true, LoginID: pl.ID, Next: pl.Next, Roles: roles, Error: problem}})
	if err != nil {
		return resp, err
	}
	return resp, c.setLogin(&resp, pl)
}

func (c *Console) setLogin(resp *events.APIGatewayV2HTTPResponse, pl pendingLogin) error {
	exp := c.Now().Add(loginTTL)
	v, err := c.Sealer.Seal(loginCookie, pl, exp)
	if err != nil {
		return err
	}
	resp.Cookies = append(resp.Cookies, c.setCookie(loginCookie, v, exp))
	return nil
}

// localLogin takes leadgate local's token form: the token, a name and a
// role. The login id in the form must match the cookie set with the form,
// so another site cannot sign a browser in as someone else.
func (c *Console) localLogin(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if c.LocalToken == "" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.ENOTFOUND, "Sign in with your company account.")
	}
	form, err := c.form(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var pl pendingLogin
	if err := c.Sealer.Open(loginCookie, edge.Cookie(req, loginCookie), &pl); err != nil || subtle.ConstantTimeCompare([]byte(pl.ID), []byte(form.Get("login"))) != 1 {
		return c.loginForm(pendingLogin{ID: session.NewID(), Next: localPath(form.Get("next"))}, "The sign-in form expired or did not come from this console: sign in again.", http.StatusForbidden)
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(form.Get("token"))), []byte(c.LocalToken)) != 1 {
		return c.loginForm(pl, "That is not the token leadgate local printed.", http.StatusUnauthorized)
	}
	name := strings.TrimSpace(form.Get("name"))
	if name == "" || len(name) > 120 {
		return c.loginForm(pl, "Give your name or email (at most 120 characters): it is what your approvals are signed with.", http.StatusUnprocessableEntity)
	}
	i := slices.IndexFunc(localRoles, func(r struct {
		console.Role
		scopes []string
	}) bool {
		return r.ID == form.Get("role")
	})
	if i < 0 {
		return c.loginForm(pl, "Choose one of the roles.", http.StatusUnprocessableEntity)
	}
	s := session.Session{ID: session.NewID(), Subject: "local:" + name, Username: name, Scopes: localRoles[i].scopes, Expires: c.Now().Add(8 * time.Hour).Unix()}
	if strings.Contains(name, "@") {
		s.Email = name
	}
	return c.signIn(s, pl.Next)
}

// callback finishes the identity provider's sign-in.
func (c *Console) callback(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if c.IdP == nil {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.ENOTFOUND, "No identity provider signs in to this console.")
	}
	q := req.QueryStringParameters
	values := url.Values{}
	for k, v := range q {
		values.Set(k, v)
	}
	if err := oidc.CallbackError(values); err != nil {
		c.Log.WarnContext(ctx, "console sign-in refused by the identity provider", "error", err.Error())
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The sign-in service did not sign you in: sign in again.")
	}
	var pl pendingLogin
	if err := c.Sealer.Open(loginCookie, edge.Cookie(req, loginCookie), &pl); err != nil {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The sign-in took too long or did not start here: sign in again.")
	}
	id, err := c.IdP.Finish(ctx, pl.OIDC, q["state"], q["code"])
	switch {
	case errors.Is(err, oidc.ErrProvider):
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("console sign-in: %w", err) // an operator must look: logged, not shown
	case err != nil:
		c.Log.WarnContext(ctx, "console sign-in refused", "error", err.Error())
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The sign-in could not be verified: sign in again.")
	case !id.Expiry.After(c.Now()):
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The sign-in expired on the way: sign in again.")
	}
	// Only leadgate's own scopes are kept, each once: an identity
	// provider's other scopes mean nothing here, and the cookie holds at
	// most len(scopes.All) of them however long the token's list.
	kept := make([]string, 0, len(scopes.All))
	for _, s := range id.Scopes {
		if slices.Contains(scopes.All, s) && !slices.Contains(kept, s) {
			kept = append(kept, s)
		}
	}
	// The rep is who the configured rep claim names, as on the API.
	s := session.Session{ID: session.NewID(), Subject: id.Subject, Email: id.Email, Username: cmp.Or(id.Claims[c.RepClaim], id.Username), Scopes: kept, Expires: id.Expiry.Unix()}
	return c.signIn(s, pl.Next)
}

func (c *Console) signIn(s session.Session, next string) (events.APIGatewayV2HTTPResponse, error) {
	exp := time.Unix(s.Expires, 0)
	v, err := c.Sealer.Seal(sessionCookie, s, exp)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp := c.redirect(localPath(next))
	resp.Cookies = []string{c.setCookie(sessionCookie, v, exp), c.setCookie(loginCookie, "", time.Time{})}
	return resp, nil
}

func (c *Console) logout(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	to := "/console/login"
	if c.LocalToken == "" {
		to += "?out=1" // see login
	}
	resp := c.redirect(to)
	resp.Cookies = []string{c.setCookie(sessionCookie, "", time.Time{})}
	return resp, nil
}

func (c *Console) campaigns(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	now := c.Now()
	p, err := funnel.ParsePeriod(req.QueryStringParameters["from"], req.QueryStringParameters["to"], now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rows, err := c.Service.CampaignList(ctx, p, now, s.Has(scopes.LeadsRead))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return c.render(http.StatusOK, console.PageCampaigns, console.View{Title: "Campaigns", Viewer: c.viewer(s), Page: console.CampaignsPage{Period: p, Rows: rows}})
}

func (c *Console) campaign(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	now := c.Now()
	qs := req.QueryStringParameters
	p, err := funnel.ParsePeriod(qs["from"], qs["to"], now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	q := console.CampaignQuery{Period: p, WithFunnel: s.Has(scopes.LeadsRead)}
	var problems []leadgate.Problem
	for name, dst := range map[string]*int{"version": &q.Version, "diffFrom": &q.DiffFrom, "diffTo": &q.DiffTo} {
		if v := qs[name]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				problems = append(problems, leadgate.Problem{Path: name, Message: "want a version number"})
			}
			*dst = n
		}
	}
	if len(problems) > 0 {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("The page was asked for something it cannot show.", problems)
	}
	page, err := c.Service.Campaign(ctx, req.PathParameters["campaignId"], q, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return c.render(http.StatusOK, console.PageCampaign, console.View{Title: page.Current.Definition.Name, Viewer: c.viewer(s), Flash: flash(qs["done"]), Page: page})
}

func (c *Console) csv(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	id := req.PathParameters["campaignId"]
	if err := c.Service.CampaignExists(ctx, id); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	body, err := export.Answer(func(each func(*lead.Record) error) error { return c.Service.Leads.CampaignLeads(ctx, id, each) })
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.Attachment("text/csv; charset=utf-8", id+"-leads.csv", body), nil
}

// decide signs a draft for the viewer's side.
func (c *Console) decide(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	who := c.caller(s).Signer()
	if len(who.Sides) == 0 {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "Signing a definition needs the scope %s or %s.", scopes.ApproveMarketing, scopes.ApproveSales)
	}
	form, err := c.form(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	dec := definitions.Decision{Decision: form.Get("decision"), Side: form.Get("side"), Note: strings.TrimSpace(form.Get("note"))}
	if r := form.Get("revision"); r != "" {
		if dec.Revision, err = strconv.Atoi(r); err != nil {
			return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("The form is not readable.", []leadgate.Problem{{Path: "revision", Message: "want a number"}})
		}
	}
	id, draftID := req.PathParameters["campaignId"], req.PathParameters["draftId"]
	signed, err := c.Service.Decide(ctx, who, id, draftID, dec, c.Now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	done := dec.Decision + "d"
	if signed.Published != nil {
		done = "published"
	}
	return c.redirect("/console/campaigns/" + id + "?done=" + done + "#drafts"), nil
}

func (c *Console) preview(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	id, draftID := req.PathParameters["campaignId"], req.PathParameters["draftId"]
	if _, err := c.Service.Preview(ctx, id, draftID, c.Now()); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return c.redirect("/console/campaigns/" + id + "?done=previewed#draft-" + draftID), nil
}

func (c *Console) lookup(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	page, err := c.Service.Lookup(ctx, req.QueryStringParameters["q"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return c.render(http.StatusOK, console.PageLookup, console.View{Title: "Lead lookup", Viewer: c.viewer(s), Page: page})
}

func (c *Console) lead(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	page, err := c.Service.Lead(ctx, req.PathParameters["leadId"], s.Has(scopes.SalesManager), c.Now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	title := cmp.Or(strings.TrimSpace(page.Lead.FirstName+" "+page.Lead.LastName), page.Lead.Email)
	return c.render(http.StatusOK, console.PageLead, console.View{Title: title, Viewer: c.viewer(s), Flash: flash(req.QueryStringParameters["done"]), Page: page})
}

// assign reassigns a lead on a manager's word, from the lead's page or the
// sales queue.
func (c *Console) assign(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	form, err := c.form(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := req.PathParameters["leadId"]
	by := cmp.Or(c.caller(s).RepID(scopes.DefaultRepClaim), s.Name())
	if _, err := c.Service.Reassign(ctx, id, form.Get("rep"), by, strings.TrimSpace(form.Get("note"))); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	to := "/console/leads/" + id
	if form.Get("back") == "/console/queue" {
		to = "/console/queue"
	}
	return c.redirect(to + "?done=reassigned"), nil
}

func (c *Console) queue(ctx context.Context, req *events.APIGatewayV2HTTPRequest, s session.Session) (events.APIGatewayV2HTTPResponse, error) {
	page, err := c.Service.Queue(ctx, c.Now(), s.Has(scopes.SalesManager))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return c.render(http.StatusOK, console.PageQueue, console.View{Title: "Sales queue", Viewer: c.viewer(s), Flash: flash(req.QueryStringParameters["done"]), Page: page})
}

// flash is the note shown after an action; only these words, never text
// from the URL, so a link cannot put words in the console's mouth.
func flash(done string) string {
	return map[string]string{
		"approved":   "Your approval is recorded.",
		"rejected":   "Your rejection is recorded.",
		"published":  "Both sides have signed: the draft is published.",
		"previewed":  "The preview is done; its figures are on the draft.",
		"reassigned": "The lead is reassigned.",
	}[done]
}

// form decodes a console form: URL-encoded, at most maxFormBytes.
func (c *Console) form(req *events.APIGatewayV2HTTPRequest) (url.Values, error) {
	if mt := edge.MediaType(req); mt != "application/x-www-form-urlencoded" {
		return nil, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send the form as application/x-www-form-urlencoded.")
	}
	raw, err := edge.Body(req, maxFormBytes)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The form is not readable.")
	}
	return v, nil
}

func requestPath(req *events.APIGatewayV2HTTPRequest) string {
	p := req.RawPath
	if req.RawQueryString != "" {
		p += "?" + req.RawQueryString
	}
	return p
}

// localPath keeps a "next" page inside the console: anything else (another
// site, a scheme-relative //host) would make the login an open redirect.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/console") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") || len(p) > 1000 {
		return "/console"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/console"
	}
	return p
}
