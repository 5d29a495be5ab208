// Command tcd is the citizen-reception case registry: the HTTP service and its operator commands.
//
// @title                       tcd: citizen-reception case registry (Sổ tiếp công dân)
// @version                     1
// @description                 The register of Vietnam's Reception Boards: sessions, visits, citizens, delegations, cases, conclusion notices and directive letters, and the official statistics derived from them. Text fields refuse control, bidirectional and invisible formatting characters (422 naming the field). A client address whose authentications keep failing gets 429 with Retry-After instead of 401 for a while; valid tokens are never held back. API answers carry Cache-Control: no-store.
// @BasePath                    /
// @securityDefinitions.apikey  Bearer
// @in                          header
// @name                        Authorization
// @description                 "Bearer " followed by a token made with `tcd token create`.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "tcd:", err)
		os.Exit(1)
	}
}
