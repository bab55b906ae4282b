package suites

import (
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/prismhook/prismhook/suites/report"
)

// DescribeConformance registers the conformance checks as Ginkgo specs, for
// use from a suite of one's own:
//
//	var _ = suites.DescribeConformance(suites.ConfigFromEnv)
//
// An Ordered container runs the whole catalogue once, in a BeforeAll (so
// the checks keep running concurrently), then has one spec per check that
// reports its outcome: fail and error fail the spec with the reason and the
// evidence, skip and warn skip it with the reason, pass adds the evidence as
// a report entry. Specs are labelled with the check's ID, its level and
// "probe" or "exclusive" where they apply, so --label-filter selects them.
//
// config is called once, when the container runs. When it returns no URL,
// every spec skips, naming PRISMHOOK_URL and PRISMHOOK_SECRET.
func DescribeConformance(config func() (Config, error)) bool {
	return ginkgo.Describe("Prism webhook receiver conformance", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var (
			rep        *report.Report
			skipReason string
		)
		ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
			c, err := config()
			if err != nil {
				ginkgo.Fail("conformance configuration: " + err.Error())
			}
			if c.URL == "" {
				skipReason = "no receiver to check: set PRISMHOOK_URL (and PRISMHOOK_SECRET) to run the conformance suite"
				return
			}
			rep, err = Run(ctx, c)
			if err != nil {
				ginkgo.Fail(err.Error())
			}
		})
		for _, chk := range Catalog {
			ginkgo.It(chk.ID+": "+chk.Title, ginkgo.Label(SpecLabels(chk)...), func() {
				if skipReason != "" {
					ginkgo.Skip(skipReason)
				}
				res, ok := findResult(rep, chk.ID)
				if !ok {
					ginkgo.Fail("no result for " + chk.ID + " in the report")
				}
				switch res.Outcome {
				case report.Pass:
					ginkgo.AddReportEntry("evidence", summarize(res))
				case report.Skip, report.Warn:
					ginkgo.Skip(string(res.Outcome) + ": " + res.Reason)
				case report.Error:
					ginkgo.Fail("harness error, not the receiver's: " + res.Reason + "\n" + summarize(res))
				default:
					ginkgo.Fail(res.Reason + "\n" + summarize(res))
				}
			})
		}
	})
}

// SpecLabels returns the Ginkgo labels of a check: its ID, its level ("MUST",
// "SHOULD", "MUST-when-HTTPS") and "probe" or "exclusive" where they apply.
func SpecLabels(c Check) []string {
	labels := []string{c.ID, strings.ReplaceAll(string(c.Level), " ", "-")}
	if c.Probe {
		labels = append(labels, "probe")
	}
	if c.Phase != Concurrent {
		labels = append(labels, "exclusive")
	}
	return labels
}

func findResult(r *report.Report, id string) (report.CheckResult, bool) {
	if r == nil {
		return report.CheckResult{}, false
	}
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return report.CheckResult{}, false
}

// summarize renders a check's evidence, one line per observation.
func summarize(c report.CheckResult) string {
	var b strings.Builder
	if c.Reason != "" && c.Outcome == report.Pass {
		fmt.Fprintf(&b, "%s\n", c.Reason)
	}
	for _, ev := range c.Evidence {
		switch ev.Kind {
		case report.KindDelivery:
			fmt.Fprintf(&b, "delivery %s [%s]: %s in %.1f ms\n", ev.DeliveryID, ev.Label, answer(ev), ev.LatencyMS)
		case report.KindArtifactFetch:
			fmt.Fprintf(&b, "fetch %s at %s: served %d\n", ev.Path, ev.At.Format("15:04:05.000"), ev.ServedStatus)
		default:
			detail := ev.Response
			if ev.Error != "" {
				detail = ev.Error
			}
			fmt.Fprintf(&b, "%s: %s\n", ev.Label, detail)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
