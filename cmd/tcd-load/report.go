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

// report prints the table and returns the targets missed.
func report(w io.Writer, o options, pgVersion string, m *mix, res *results, peak uint64, pgbenchTPS float64) []string {
	fmt.Fprintf(w, "\ntcd-load: %d closed-loop clients for %s against tcd serve on PostgreSQL %s\n\n", o.clients, o.duration, pgVersion)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tshare\trequests\tok/s\tp50\tp99\tmax\tstatuses\t")
	row := func(name, share string, km *vegeta.Metrics) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", name, share, km.Requests, km.Throughput,
			ms(km.Latencies.P50), ms(km.Latencies.P99), ms(km.Latencies.Max), statuses(km))
	}
	for _, k := range m.kinds {
		row(k.name, fmt.Sprintf("%d%%", k.weight*100/m.total), res.byKind[k.key()])
	}
	row("all", "100%", &res.all)
	tw.Flush()
	for _, n := range m.notes {
		fmt.Fprintln(w, "note:", n)
	}
	for _, e := range res.examples {
		fmt.Fprintln(w, "error:", e)
	}

	fivexx := 0
	for code, n := range res.all.StatusCodes {
		if c, _ := strconv.Atoi(code); c == 0 || c >= 500 {
			fivexx += n
		}
	}
	creates := res.byKind[resultKey("POST", "/api/v1/visits", false)]
	ratio := creates.Throughput / pgbenchTPS
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var missed []string
	check := func(what, got, target string, ok bool) {
		verdict := "ok"
		if !ok {
			verdict = "MISSED"
			missed = append(missed, what+" "+got+" (target "+target+")")
		}
		fmt.Fprintf(tw, "%s\t%s\ttarget %s\t%s\n", what, got, target, verdict)
	}
	check("5xx and transport errors", strconv.Itoa(fivexx), "0", fivexx == 0)
	check("p99 latency, all requests", ms(res.all.Latencies.P99), ms(targetP99), res.all.Latencies.P99 <= targetP99)
	check("server peak RSS (VmHWM)", fmt.Sprintf("%.1f MB", float64(peak)/(1<<20)), fmt.Sprintf("%d MB", targetRSSBytes>>20), peak <= targetRSSBytes)
	fmt.Fprintf(tw, "pgbench single-row INSERT\t%.0f tps\t(-c 50 -j 2 -T %s, same database)\t\n", pgbenchTPS, o.pgbenchTime)
	check("visit creates / pgbench inserts", fmt.Sprintf("%.0f/s = %.3f", creates.Throughput, ratio), fmt.Sprintf("≥ %.2f", targetInsertRatio), ratio >= targetInsertRatio)
	tw.Flush()
	return missed
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
