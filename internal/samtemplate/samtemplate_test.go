package samtemplate_test

import (
	"slices"
	"testing"

	"github.com/leadgate/leadgate/internal/samtemplate"
)

// The tests read the real template.yaml: it is the one list of resources,
// and a change there that local cannot follow should fail here.
func load(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestRoutes(t *testing.T) {
	var got []string
	for _, r := range load(t).Routes() {
		got = append(got, r.Key()+" "+r.Function+" "+r.Authorizer)
	}
	for _, want := range []string{
		"PUT /v1/campaigns/{campaignId} CampaignsFunction LeadgateJwt",
		"GET /v1/campaigns/{campaignId}/definition CampaignsFunction LeadgateJwt",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no route %q in %q", want, got)
		}
	}
}

func TestPublicRouteHasNoAuthorizer(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(`
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth: {DefaultAuthorizer: Jwt}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Open:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: post, Path: /v1/open, Auth: {Authorizer: NONE}}
        Closed:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /v1/closed}
`))
	if err != nil {
		t.Fatal(err)
	}
	rs := tpl.Routes()
	if len(rs) != 2 || rs[0].Key() != "GET /v1/closed" || rs[0].Authorizer != "Jwt" || rs[1].Key() != "POST /v1/open" || rs[1].Authorizer != "" {
		t.Errorf("routes = %+v", rs)
	}
}

// TestRouteThrottles: a route's own RouteSettings win over the API's
// DefaultRouteSettings, as API Gateway applies them; a limit given as a
// parameter is its default; every route of template.yaml is throttled, the
// public ones at their parameters' defaults.
func TestRouteThrottles(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(`
Parameters:
  OpenRate: {Type: Number, Default: 0.5}
  OpenBurst: {Type: Number, Default: "10"}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100}
      RouteSettings:
        "POST /v1/open": {ThrottlingBurstLimit: !Ref OpenBurst, ThrottlingRateLimit: !Ref OpenRate}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Open:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: post, Path: /v1/open}
        Other:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /v1/other}
`))
	if err != nil {
		t.Fatal(err)
	}
	rs := tpl.Routes()
	if len(rs) != 2 || rs[0].Throttle != (samtemplate.Throttle{Rate: 100, Burst: 200}) || rs[1].Throttle != (samtemplate.Throttle{Rate: 0.5, Burst: 10}) {
		t.Errorf("routes = %+v", rs)
	}
	for _, r := range load(t).Routes() {
		if r.Throttle.Rate <= 0 || r.Throttle.Burst <= 0 {
			t.Errorf("template.yaml leaves %s unthrottled: %+v", r.Key(), r.Throttle)
		}
		if r.Key() == "POST /v1/campaigns/{campaignId}/submissions" && r.Throttle != (samtemplate.Throttle{Rate: 50, Burst: 100}) {
			t.Errorf("the public form route is throttled at %+v, want PublicRateLimit's and PublicBurstLimit's defaults", r.Throttle)
		}
	}
}

func TestQueuesPutDeadLetterQueuesFirst(t *testing.T) {
	var order []string
	for _, q := range load(t).Queues() {
		order = append(order, q.LogicalID)
	}
	for _, pair := range [][2]string{{"SalesReadyDeadLetterQueue", "SalesReadyQueue"}, {"NurtureDeadLetterQueue", "NurtureQueue"}} {
		if slices.Index(order, pair[0]) > slices.Index(order, pair[1]) || slices.Index(order, pair[0]) < 0 {
			t.Errorf("%s must come before %s: %v", pair[0], pair[1], order)
		}
	}
}

// TestEveryQueueHasADeadLetterQueue keeps the promise that nothing a
// consumer fails on is dropped.
func TestEveryQueueHasADeadLetterQueue(t *testing.T) {
	tpl := load(t)
	targets := map[string]bool{}
	for _, q := range tpl.Queues() {
		if rp, ok := q.Properties["RedrivePolicy"].(map[string]any); ok {
			att := rp["deadLetterTargetArn"].(map[string]any)["Fn::GetAtt"].([]any)
			targets[att[0].(string)] = true
		}
	}
	// A stream's on-failure destination is itself where failures end up.
	for _, f := range tpl.Functions() {
		for _, e := range f.Events {
			dc, _ := e.Properties["DestinationConfig"].(map[string]any)
			of, _ := dc["OnFailure"].(map[string]any)
			dest, _ := of["Destination"].(map[string]any)
			if att, ok := dest["Fn::GetAtt"].([]any); ok {
				targets[att[0].(string)] = true
			}
		}
	}
	for _, q := range tpl.Queues() {
		if _, ok := q.Properties["RedrivePolicy"]; !ok && !targets[q.LogicalID] {
			t.Errorf("queue %s has no dead-letter queue", q.LogicalID)
		}
	}
}

func TestFunctionEnvironmentAndResolve(t *testing.T) {
	fns := load(t).Functions()
	i := slices.IndexFunc(fns, func(f samtemplate.Function) bool { return f.LogicalID == "CampaignsFunction" })
	if i < 0 {
		t.Fatal("no CampaignsFunction")
	}
	r := samtemplate.Resolver{
		Refs:  map[string]string{"CampaignsTable": "local-Campaigns", "AWS::Region": "us-east-1", "Api": "abc"},
		Attrs: map[string]string{"Queue.Arn": "arn:aws:sqs:us-east-1:0:q"},
	}
	got, err := r.String(fns[i].Environment["CAMPAIGNS_TABLE"])
	if err != nil || got != "local-Campaigns" {
		t.Errorf("CAMPAIGNS_TABLE = %q, %v", got, err)
	}
	tests := []struct {
		in   any
		want string
	}{
		{map[string]any{"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}/x"}, "https://abc.execute-api.us-east-1/x"},
		{map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}, "arn:aws:sqs:us-east-1:0:q"},
		{map[string]any{"Fn::Join": []any{",", []any{"a", map[string]any{"Ref": "Api"}}}}, "a,abc"},
		{60, "60"},
	}
	for _, tt := range tests {
		if got, err := r.String(tt.in); err != nil || got != tt.want {
			t.Errorf("String(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := r.String(map[string]any{"Ref": "Missing"}); err == nil {
		t.Error("an unknown Ref resolved")
	}
}

// TestHTTPFunctionsAnswerBeforeTheGateway: API Gateway's HTTP API answers
// 503 at 30 s whatever its function does; a function behind it with a
// longer timeout would go on working after its caller was told it failed,
// and its own answer (a partial import's report) would never arrive.
func TestHTTPFunctionsAnswerBeforeTheGateway(t *testing.T) {
	for _, f := range load(t).Functions() {
		for _, e := range f.Events {
			if e.Type == "HttpApi" && f.Timeout > 29 {
				t.Errorf("%s serves %s with a timeout of %d s: want at most 29", f.LogicalID, e.Name, f.Timeout)
				break
			}
		}
	}
}
