// Command tcd is the citizen-reception case registry: the HTTP service and its operator commands.
//
// @title                       tcd: citizen-reception case registry (Sổ tiếp công dân)
// @version                     1
// @description                 The register of Vietnam's Reception Boards: sessions, visits, citizens, delegations, cases, conclusion notices and directive letters, and the official statistics derived from them. Text fields refuse control, bidirectional and invisible formatting characters (422 naming the field). A client address whose authentications keep failing gets 429 with Retry-After instead of 401 for a while; valid tokens are never held back. API answers carry Cache-Control: no-store.
// @BasePath                    /
// @tag.name                    sessions
// @tag.description             Reception sessions (buổi tiếp): regular, periodic or urgent; may be scheduled ahead.
// @tag.name                    visits
// @tag.description             Visits (lượt tiếp): who came, about which case, with what outcome; the register's rows.
// @tag.name                    persons
// @tag.description             Citizens who came; personal data, every read is audited.
// @tag.name                    cases
// @tag.description             Cases (vụ việc): the matters citizens bring, numbered VV-YEAR-NNNNNN.
// @tag.name                    delegations
// @tag.description             Delegations (đoàn đông người): groups of five or more with their representatives.
// @tag.name                    notices
// @tag.description             Conclusion notices (thông báo kết luận) after periodic and urgent sessions.
// @tag.name                    directives
// @tag.description             Directive letters (văn bản chỉ đạo) and their replies.
// @tag.name                    stats
// @tag.description             The official statistics: the summary, Form 01/TCD and breakdowns.
// @tag.name                    exports
// @tag.description             The report and the register (Form 03) as files.
// @tag.name                    vocab
// @tag.description             Every enum with its Vietnamese and English labels.
// @tag.name                    orgs
// @tag.description             The tree of organisations.
// @tag.name                    dedup
// @tag.description             Duplicate persons and cases: candidates, merges, decisions.
// @tag.name                    audit
// @tag.description             The audit log: who read or changed what.
// @tag.name                    health
// @tag.description             Liveness and readiness, without a token.
// @securityDefinitions.apikey  Bearer
// @in                          header
// @name                        Authorization
// @description                 "Bearer " followed by a token made with `tcd token create`.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// TCD_CPUPROFILE=FILE writes the command's CPU profile to FILE (go tool pprof), as make
	// bench-import's measurements of tcd import register were profiled
	if path := os.Getenv("TCD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tcd: TCD_CPUPROFILE:", err)
		}
	}
	err := newRootCmd().Execute()
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcd:", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
