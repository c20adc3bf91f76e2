// Package submissions is the public submission endpoint landing pages post
// to, the intake function's one handler set: it reads a form post (JSON,
// urlencoded or multipart), checks the page's origin against the campaign,
// and hands the form to the intake service, which judges and stores the
// lead. It answers through the edge's Router like every HTTP function, and
// links none of the other handler sets (package httpapi).
package submissions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// MaxBytes bounds a form post. A real one is a few hundred bytes;
// the bound keeps a bot from making us parse megabytes.
const MaxBytes = 64 << 10

// Endpoint serves the public submission endpoint landing pages post to.
type Endpoint struct {
	service *intake.Service
	now     func() time.Time
}

// New returns the submission endpoint as the intake function's Handler.
func New(service *intake.Service, log *slog.Logger, now func() time.Time) edge.Handler {
	in := &Endpoint{service: service, now: now}
	rt := &edge.Router{Log: log, IDs: map[string]edge.IDRule{"campaignId": edge.CampaignID}, Routes: map[string]edge.Route{
		"POST /v1/campaigns/{campaignId}/submissions":    in.submit,
		"OPTIONS /v1/campaigns/{campaignId}/submissions": in.preflight,
	}}
	return rt.Handle
}

// corsHeaders returns the CORS answer for the request's origin: the origin
// itself when the campaign allows it, nothing otherwise. ok is false when the
// request comes from a page on an origin the campaign does not allow.
func (in *Endpoint) corsHeaders(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (map[string]string, bool, error) {
	origin := edge.Header(req, "origin")
	p, err := in.service.Campaign(ctx, req.PathParameters["campaignId"])
	if err != nil {
		return nil, false, err
	}
	if origin == "" {
		return nil, true, nil // not a browser cross-origin request
	}
	allowed := p.Definition.Intake.AllowedOrigins
	if !slices.Contains(allowed, strings.ToLower(origin)) {
		return nil, len(allowed) == 0, nil
	}
	return map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin"}, true, nil
}

func (in *Endpoint) preflight(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	cors, ok, err := in.corsHeaders(ctx, req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if !ok || cors == nil {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "Origin %q may not post to this campaign.", edge.Header(req, "origin"))
	}
	cors["Access-Control-Allow-Methods"] = "POST, OPTIONS"
	cors["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key"
	cors["Access-Control-Max-Age"] = "600"
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: cors}, nil
}

func (in *Endpoint) submit(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	// A person whose plain HTML form is refused reads the reason as a
	// page, whatever refused it (an unknown campaign, an origin the
	// campaign does not allow, a bad value).
	htmlForm := edge.MediaType(req) != "application/json" && !edge.Accepts(req, "application/json")
	var resp events.APIGatewayV2HTTPResponse
	cors, ok, err := in.corsHeaders(ctx, req)
	switch {
	case err != nil:
	case !ok:
		err = leadgate.Errorf(leadgate.EFORBIDDEN, "Origin %q may not post to this campaign.", edge.Header(req, "origin"))
	default:
		// The visitor cookie counts only on a post from the campaign's
		// own pages: any other site could make a browser post with it.
		visitor := ""
		if cors != nil {
			visitor = edge.Cookie(req, visitorCookie)
		}
		resp, err = in.accept(ctx, req, htmlForm, visitor)
	}
	err = edge.Unavailable(ctx, err)
	if err != nil {
		resp = edge.ErrorResponse(err)
		if htmlForm && leadgate.ErrorCode(err) != leadgate.EINTERNAL {
			resp = formErrorPage(resp.StatusCode, err)
		}
	}
	// Errors carry CORS headers too, so a page's fetch can read them.
	for k, v := range cors {
		resp.Headers[k] = v
	}
	if err != nil {
		return resp, &edge.Answered{Err: err, Resp: resp}
	}
	return resp, nil
}

func (in *Endpoint) accept(ctx context.Context, req *events.APIGatewayV2HTTPRequest, htmlForm bool, visitor string) (events.APIGatewayV2HTTPResponse, error) {
	raw, err := edge.Body(req, MaxBytes)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	values, err := formValues(req, raw)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	res, err := in.service.Submit(ctx, req.PathParameters["campaignId"], &intake.Form{
		Values:         values,
		IdempotencyKey: edge.Header(req, "idempotency-key"),
		Referrer:       edge.Header(req, "referer"),
		Visitor:        visitor,
		ReceivedAt:     in.now(),
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if htmlForm {
		// A plain form cannot keep the token from the answer: the browser
		// keeps it as a cookie, sent back only to this API.
		resp := edge.TextResponse(http.StatusOK, "text/html; charset=utf-8", thanksPage)
		if res.Redirect != "" {
			resp = events.APIGatewayV2HTTPResponse{StatusCode: http.StatusSeeOther, Headers: map[string]string{"Location": res.Redirect}}
		}
		resp.Cookies = []string{visitorCookie + "=" + res.Visitor + "; Path=/v1/campaigns; Max-Age=34214400; Secure; HttpOnly; SameSite=None"}
		return resp, nil
	}
	return edge.JSONResponse(http.StatusAccepted, res), nil
}

// visitorCookie holds the visitor token of a browser that posted a plain
// HTML form. It lives 396 days, as the visitor cookies of marketing tools
// do, and it is SameSite=None because the landing page is another site.
const visitorCookie = "lg_visitor"

// formValues reads the posted fields as name -> first value, from JSON (a
// page's fetch), urlencoded (a plain HTML form) or multipart.
func formValues(req *events.APIGatewayV2HTTPRequest, raw []byte) (map[string]string, error) {
	ct := edge.Header(req, "content-type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return nil, leadgate.Errorf(leadgate.EUNSUPPORTED, "Post the form as application/json, application/x-www-form-urlencoded or multipart/form-data.")
	}
	values := map[string]string{}
	switch mt {
	case "application/json":
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil {
			e := &leadgate.Error{Code: leadgate.EBADREQUEST, Message: "The body is not a JSON object of fields."}
			if err != nil {
				e.Problems = edge.JSONProblems(err)
			}
			return nil, e
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The body has data after its JSON object.")
		}
		var problems []leadgate.Problem
		for k, v := range obj {
			switch x := v.(type) {
			case string:
				values[k] = x
			case json.Number:
				values[k] = x.String()
			case bool:
				values[k] = strconv.FormatBool(x)
			case nil:
			default:
				problems = append(problems, leadgate.Problem{Path: k, Message: "want text, a number or true/false"})
			}
		}
		if len(problems) > 0 {
			return nil, leadgate.Invalid("Some fields are not plain values.", problems)
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The form body is not valid urlencoded data.")
		}
		for k, vs := range q {
			values[k] = vs[0]
		}
	case "multipart/form-data":
		r := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		for {
			part, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The multipart body cannot be read.")
			}
			if part.FileName() != "" {
				continue // a lead form has no files to keep
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The multipart body cannot be read.")
			}
			if _, seen := values[part.FormName()]; !seen {
				values[part.FormName()] = string(b)
			}
		}
	default:
		return nil, leadgate.Errorf(leadgate.EUNSUPPORTED, "Post the form as application/json, application/x-www-form-urlencoded or multipart/form-data, not %s.", mt)
	}
	return values, nil
}

const thanksPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Thank you</title><p>Thank you. We have your details.</p></html>`

// formErrorPage answers a plain HTML form with a page a person can read.
func formErrorPage(status int, err error) events.APIGatewayV2HTTPResponse {
	// Written by hand with html.EscapeString: the page is tiny, and the
	// template engine would add megabytes to the intake function.
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Please check the form</title>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto">
<h1>Please check the form</h1>
<p>`)
	b.WriteString(html.EscapeString(leadgate.ErrorMessage(err)))
	b.WriteString("</p>\n")
	if ps := leadgate.ErrorProblems(err); len(ps) > 0 {
		b.WriteString("<ul>")
		for _, p := range ps {
			b.WriteString("<li><strong>" + html.EscapeString(p.Path) + "</strong>: " + html.EscapeString(p.Message) + "</li>")
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString(`<p><a href="javascript:history.back()">Back to the form</a></p>
</body></html>
`)
	return edge.TextResponse(status, "text/html; charset=utf-8", b.String())
}
