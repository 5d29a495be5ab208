package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// peakRSS reads the process's peak resident set size (VmHWM) from /proc, in bytes. The kernel
// keeps the high-water mark, so one read after the load sees the peak of the whole run.
func peakRSS(pid int) (uint64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// report prints a table per phase and the targets, and returns the targets missed. runs are
// the closed-loop mix, the creates alone, the open-loop mix and the health check, in that
// order; creates are the database writes the creates alone made.
func report(w io.Writer, o options, pgVersion string, m *mix, runs []*results, peak uint64, pgbenchTPS float64, creates writes) []string {
	fmt.Fprintf(w, "\ntcd-load against tcd serve on PostgreSQL %s\n", pgVersion)
	fivexx := 0
	for _, res := range runs {
		fivexx += phaseTable(w, m, res)
	}
	for _, n := range m.notes {
		fmt.Fprintln(w, "note:", n)
	}
	saturated, alone, busy, health := runs[0], runs[1], runs[2], runs[3]
	created := alone.byKind[m.creates().key()]
	createRate := created.Throughput
	ratio := createRate / pgbenchTPS
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var missed []string
	check := func(what, got, target string, ok bool) {
		verdict := "ok"
		if !ok {
			verdict = "MISSED"
			missed = append(missed, what+" "+got+" (target "+target+")")
		}
		fmt.Fprintf(tw, "%s\t%s\ttarget %s\t%s\n", what, got, target, verdict)
	}
	check("5xx and transport errors, all phases", strconv.Itoa(fivexx), "0", fivexx == 0)
	check("p99, mix, closed loop (saturated)", ms(saturated.all.Latencies.P99), ms(targetP99), saturated.all.Latencies.P99 <= targetP99)
	check(fmt.Sprintf("p99, mix at %.0f req/s (open loop)", busy.phase.rate), ms(busy.all.Latencies.P99), ms(targetP99),
		busy.all.Latencies.P99 <= targetP99)
	check("server peak RSS (VmHWM)", fmt.Sprintf("%.1f MB", float64(peak)/(1<<20)), fmt.Sprintf("%d MB", targetRSSBytes>>20), peak <= targetRSSBytes)
	fmt.Fprintf(tw, "pgbench single-row INSERT\t%.0f tps\t(-c 50 -j 2 -T %s, same database)\t\n", pgbenchTPS, o.pgbenchTime)
	check("visit creates alone / pgbench inserts", fmt.Sprintf("%.0f/s = %.3f", createRate, ratio), fmt.Sprintf("≥ %.2f", targetInsertRatio), ratio >= targetInsertRatio)
	tw.Flush()
	// what bounds the ratio: a pgbench transaction writes one row; a visit create writes
	// several (visit, its persons, case, audit entries, statistics queue) and answers over HTTP
	if n := float64(created.StatusCodes["201"]); n > 0 && creates.rows > 0 {
		perCreate := float64(creates.rows) / n
		fmt.Fprintf(w, "\neach visit create wrote %.1f rows in %.2f transactions (pg_stat_database, background work included):\n"+
			"rows written while creating: %.0f/s = %.2f × pgbench's\n", perCreate, float64(creates.commits)/n,
			createRate*perCreate, createRate*perCreate/pgbenchTPS)
	}
	fmt.Fprintf(w, "HTTP ceiling on this machine, GET /healthz alone: %.0f req/s = %.2f × pgbench's transactions\n",
		health.all.Throughput, health.all.Throughput/pgbenchTPS)
	return missed
}

// phaseTable prints one phase's requests by kind and returns its 5xx and transport errors.
func phaseTable(w io.Writer, m *mix, res *results) (fivexx int) {
	p := res.phase
	if p.rate > 0 {
		fmt.Fprintf(w, "\n%s: %.0f req/s over at most %d connections for %s\n\n", p.name, p.rate, p.clients, p.duration)
	} else {
		fmt.Fprintf(w, "\n%s: %d clients for %s\n\n", p.name, p.clients, p.duration)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tshare\trequests\tok/s\tp50\tp99\tmax\tstatuses\t")
	row := func(name, share string, km *vegeta.Metrics) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", name, share, km.Requests, km.Throughput,
			ms(km.Latencies.P50), ms(km.Latencies.P99), ms(km.Latencies.Max), statuses(km))
	}
	for _, k := range m.tableKinds() {
		if km := res.byKind[k.key()]; km.Requests > 0 {
			row(k.name, fmt.Sprintf("%.0f%%", float64(km.Requests)*100/float64(res.all.Requests)), km)
		}
	}
	row("all", "100%", &res.all)
	tw.Flush()
	for _, e := range res.examples {
		fmt.Fprintln(w, "error:", e)
	}
	for code, n := range res.all.StatusCodes {
		if c, _ := strconv.Atoi(code); c == 0 || c >= 500 {
			fivexx += n
		}
	}
	return fivexx
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func statuses(km *vegeta.Metrics) string {
	codes := make([]string, 0, len(km.StatusCodes))
	for code, n := range km.StatusCodes {
		if code == "0" {
			code = "transport-error"
		}
		codes = append(codes, fmt.Sprintf("%s×%d", code, n))
	}
	slices.Sort(codes)
	return strings.Join(codes, " ")
}
