package httpapi_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/tcd-registry/tcd/internal/testenv"
)

// TestMain reports, after the suite, how much of the OpenAPI document its answers exercised:
// every answer is checked against the document (testenv/conformance.go). Printed with -v, and
// written to the file TCD_CONFORMANCE_REPORT names, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	report := testenv.Coverage()
	if testing.Verbose() {
		fmt.Println(report)
	}
	if path := os.Getenv("TCD_CONFORMANCE_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}
