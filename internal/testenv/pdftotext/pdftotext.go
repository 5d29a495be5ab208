// Package pdftotext reads the text of a PDF the way a reader's tools do, with poppler's
// pdftotext, for tests that check what a generated PDF says. It has no other dependency, so the
// packages that make PDFs can use it in their tests.
package pdftotext

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// Extract returns the text pdftotext reads from pdf, run with args (e.g. "-layout"). Without
// pdftotext the test is skipped on a developer's machine and fails under CI=true, where .ci/run
// installs poppler-utils: a check of the PDFs must never silently not run in CI.
func Extract(t testing.TB, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (Debian: apt-get install poppler-utils); CI=true, so the PDF checks fail rather than skip")
		}
		t.Skip("pdftotext is not installed (Debian: apt-get install poppler-utils); skipping the PDF text checks")
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), "-", "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errOut.String())
	}
	if errOut.Len() > 0 {
		// poppler complains on stderr about a malformed file it could still read
		t.Fatalf("pdftotext reported problems with the PDF: %s", errOut.String())
	}
	return out.String()
}
