package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/touchpoint"
)

// MaxUploadBytes is the most one upload may carry. Lambda refuses a
// synchronous payload over 6 MB outright (with a bare 413, and a gzip body
// travels base64-encoded, a third bigger); below that, this limit answers
// with what to do instead. `leadgate import` compresses and splits files.
const MaxUploadBytes = 4 << 20

// maxUnzippedBytes bounds what a gzip upload may expand to, so a small
// compressed body cannot make the function read without end.
const maxUnzippedBytes = 64 << 20

// IssueReader reads an import's issue list.
type IssueReader interface {
	Issues(ctx context.Context, campaignID, importID string) ([]byte, error)
}

// BadgeScans serves the authenticated ways in for touch points: badge-scan
// file uploads and touch-point batches from other systems.
type BadgeScans struct {
	importer    *badgescan.Importer
	issues      IssueReader
	touchpoints *touchpoint.Service
	now         func() time.Time
}

// NewBadgeScans returns the upload and touch-point API as a Handler.
func NewBadgeScans(importer *badgescan.Importer, issues IssueReader, touchpoints *touchpoint.Service, log *slog.Logger, now func() time.Time) Handler {
	b := &BadgeScans{importer: importer, issues: issues, touchpoints: touchpoints, now: now}
	rt := &edge.Router{Log: log, IDs: idRules, Routes: map[string]edge.Route{
		"POST /v1/campaigns/{campaignId}/badge-scans":                      b.upload,
		"GET /v1/campaigns/{campaignId}/badge-scans/{importId}/issues.csv": b.issueList,
		"POST /v1/touch-points":                                            b.touchPoints,
	}}
	return rt.Handle
}

// issueList serves every rejected row and warning of an import, as the
// gzip-compressed CSV it was kept as (a big list stays under Lambda's
// answer limit that way; curl needs --compressed).
func (b *BadgeScans) issueList(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.Import); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	gz, err := b.issues.Issues(ctx, req.PathParameters["campaignId"], req.PathParameters["importId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"Content-Type": "text/csv; charset=utf-8", "Content-Encoding": "gzip",
			"Content-Disposition": `attachment; filename="` + req.PathParameters["importId"] + `-issues.csv"`,
		},
		Body: base64.StdEncoding.EncodeToString(gz), IsBase64Encoded: true,
	}, nil
}

// csvTypes are what browsers, curl and the lead-retrieval apps label a CSV.
var csvTypes = []string{"text/csv", "application/csv", "text/plain", "text/tab-separated-values", "application/vnd.ms-excel", "application/octet-stream"}

func (b *BadgeScans) upload(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.Import); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if mt := edge.MediaType(req); mt != "" && !slices.Contains(csvTypes, mt) {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Upload the export as CSV (Content-Type: text/csv), not %s.", mt)
	}
	var body io.Reader = strings.NewReader(req.Body)
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(req.Body)) > MaxUploadBytes+3 {
			return events.APIGatewayV2HTTPResponse{}, uploadTooLarge()
		}
		body = base64.NewDecoder(base64.StdEncoding, body)
	} else if len(req.Body) > MaxUploadBytes {
		return events.APIGatewayV2HTTPResponse{}, uploadTooLarge()
	}
	switch enc := strings.ToLower(edge.Header(req, "content-encoding")); enc {
	case "", "identity":
	case "gzip":
		raw, err := io.ReadAll(body)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EBADREQUEST, "The body is marked base64 but is not.")
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EBADREQUEST, "The body is marked gzip but is not gzip.")
		}
		body = &limitedReader{r: zr, left: maxUnzippedBytes}
	default:
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Content-Encoding %s: send the file plain or gzip.", enc)
	}
	rep, err := b.importer.Import(ctx, req.PathParameters["campaignId"], body, badgescan.Options{TimeZone: req.QueryStringParameters["timeZone"]}, b.now())
	if err != nil && rep != nil {
		// Rows were written before the import stopped: the answer says
		// which, with the error.
		return events.APIGatewayV2HTTPResponse{}, &edge.Partial{Err: err, Done: rep}
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, rep), nil
}

func uploadTooLarge() error {
	return leadgate.Errorf(leadgate.ETOOLARGE, "The upload is over 4 MB; API Gateway and Lambda refuse requests over 6 MB. Gzip it (Content-Encoding: gzip), or upload it with `leadgate import`, which compresses and splits it for you.")
}

// limitedReader fails, rather than stops quietly, past its limit: a
// silently truncated file would lose rows.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, leadgate.Errorf(leadgate.ETOOLARGE, "The gzip upload expands past %d MB; split the file.", maxUnzippedBytes>>20)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
