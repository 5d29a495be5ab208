package testenv

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tcd-registry/tcd/api"
)

// Every answer a test receives through Client is checked against the service's OpenAPI document
// (its OpenAPI 3 form, api.OpenAPI3) with kin-openapi's openapi3filter: the status must be one
// the operation documents, the media type one it answers in, and the body must match the
// schema (types, required fields, nullability, enums, formats). A mismatch fails the test that
// received it, so the document cannot drift from the server while the suite passes. Requests
// to paths the document does not have (a test of the unknown-route 404) are not checked.

type conformance struct {
	doc    *openapi3.T
	router routers.Router
	mu     sync.Mutex
	seen   map[string]bool // "operationId status" pairs checked
}

var spec = sync.OnceValues(func() (*conformance, error) {
	doc, err := api.OpenAPI3(context.Background())
	if err != nil {
		return nil, err
	}
	// the paths are matched on their own: the test server's address is no server of the document
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &conformance{doc: doc, router: router, seen: map[string]bool{}}, nil
})

// check answers why resp (with its body raw) does not conform to the document, or "".
func (cf *conformance) check(req *http.Request, resp *http.Response, raw []byte) string {
	route, params, err := cf.router.FindRoute(req)
	if err != nil {
		return "" // not a path of the document
	}
	body := io.Reader(bytes.NewReader(raw))
	if resp.Header.Get("Content-Encoding") == "gzip" { // a test that asked for it itself
		if body, err = gzip.NewReader(body); err != nil {
			return fmt.Sprintf("%s %s: the gzipped answer does not open: %v", req.Method, req.URL.Path, err)
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(body),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	cf.mu.Lock()
	cf.seen[fmt.Sprintf("%s %d", route.Operation.OperationID, resp.StatusCode)] = true
	cf.mu.Unlock()
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return fmt.Sprintf("%s %s answered %d, which does not conform to the OpenAPI document (%s): %v",
			req.Method, req.URL.Path, resp.StatusCode, route.Operation.OperationID, err)
	}
	return ""
}

// Coverage says how much of the document the answers checked so far exercised: operations,
// (operation, status) pairs and component schemas, each of those the document has.
func Coverage() string {
	cf, err := spec()
	if err != nil {
		return err.Error()
	}
	cf.mu.Lock()
	defer cf.mu.Unlock()
	ops, responses := map[string]bool{}, 0
	var missing []string
	for pair := range cf.seen {
		op, _, _ := strings.Cut(pair, " ")
		ops[op] = true
		responses++
	}
	allOps, allResponses := 0, 0
	for _, item := range cf.doc.Paths.Map() {
		for _, op := range item.Operations() {
			allOps++
			allResponses += op.Responses.Len()
			if !ops[op.OperationID] {
				missing = append(missing, op.OperationID)
			}
		}
	}
	sort.Strings(missing)
	return fmt.Sprintf("conformance: %d of %d operations, %d (operation, status) pairs of %d documented, %d component schemas; operations never called: %v",
		len(ops), allOps, responses, allResponses, len(cf.doc.Components.Schemas), missing)
}
