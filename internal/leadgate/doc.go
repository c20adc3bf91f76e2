// Package leadgate holds what every other package shares: the error codes the
// domain speaks in. Codes are mapped to HTTP statuses only at the edge
// (internal/httpapi), so the domain never knows it is served over HTTP.
package leadgate
