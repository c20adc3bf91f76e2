// Package devstack runs leadgate on one machine (leadgate local, make run)
// and holds the system tests. It creates the tables and queues template.yaml
// declares on DynamoDB Local and moto, serves the template's HTTP routes with
// the same handlers the Lambda functions run, and drives the leads table's
// stream and the queues as the template's event source mappings say.
//
// The rule of this package: template.yaml is the only list of resources;
// nothing here keeps a second one, and a route whose function has no local
// wiring stops start-up.
package devstack
