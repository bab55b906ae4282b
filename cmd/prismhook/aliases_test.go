package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("one name per idea", func() {
	const secret = "whsec_alias_test"
	var (
		rcv *sink
		url string
	)
	BeforeEach(func() {
		var srv *httptest.Server
		rcv, srv = newSink(secret)
		url = srv.URL + "/hook"
	})

	It("calls the 5 s limit --ack-timeout in check, send and serve", func() {
		for _, cmd := range []string{"check", "send", "serve"} {
			r := cli(cmd, "--help")
			Expect(r.code).To(Equal(0))
			Expect(r.stdout).To(ContainSubstring("--ack-timeout"), cmd)
			Expect(r.stdout).NotTo(MatchRegexp(`--(delivery-)?timeout\b`), cmd+": the old names are hidden")
		}
	})

	It("keeps send --timeout as an alias of --ack-timeout", func() {
		// A limit far too short for any answer shows which flag took it.
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--timeout", "1ns")
		expectOneLineError(r, 1, "no answer")
		r = cli("send", "video.completed", "--url", url, "--secret", secret, "--ack-timeout", "1ns")
		expectOneLineError(r, 1, "no answer")
		expectOneLineError(cli("send", "video.completed", "--url", url, "--secret", secret, "--timeout", "0s"), 2, "--ack-timeout must be positive")
	})

	It("keeps serve --delivery-timeout as an alias of --ack-timeout", func() {
		for _, flag := range []string{"--delivery-timeout", "--ack-timeout"} {
			expectOneLineError(cli("serve", "--addr", freeAddr(), flag, "soon"), 2, `invalid argument "soon" for "--ack-timeout"`)
		}
	})

	It("names send's body file --body, with --data kept as an alias", func() {
		file := filepath.Join(GinkgoT().TempDir(), "event.json")
		Expect(os.WriteFile(file, []byte(`{"event": "video.failed", "data": {"id": "gen_alias"}}`), 0o600)).To(Succeed())
		for _, flag := range []string{"--body", "--data"} {
			r := cli("send", "video.failed", "--url", url, "--secret", secret, flag, file)
			Expect(r.code).To(Equal(0), r.stderr)
		}
		_, _, bodies := rcv.seen()
		Expect(bodies).To(HaveLen(2))
		for _, b := range bodies {
			Expect(string(b)).To(Equal(`{"event":"video.failed","data":{"id":"gen_alias"}}`))
		}
		help := cli("send", "--help").stdout
		Expect(help).To(ContainSubstring("--body FILE"))
		Expect(help).NotTo(ContainSubstring("--data"))
	})

	It("takes check's URL as an argument", func() {
		// Nothing listens there: a setup error that names the URL shows the
		// argument was taken as the receiver's address.
		target := closedURL()
		r := cli("check", target, "--secret", secret, "--only", "SIG-01")
		expectOneLineError(r, 2, strings.TrimPrefix(target, "http://"))
		r = cli("check", target, "--url", "http://127.0.0.1:1/other", "--secret", secret)
		expectOneLineError(r, 2, "the URL is given twice")
		expectOneLineError(cli("check", "a", "b", "--secret", secret), 2, "accepts at most 1 arg")
		GinkgoT().Setenv("PRISMHOOK_URL", "")
		expectOneLineError(cli("check", "--secret", secret), 2, "no receiver URL: give it as the argument (prismhook check URL --secret SECRET)")
	})

	It("puts cobra's suggestion at the end of one line", func() {
		r := cli("chek")
		expectOneLineError(r, 2, `unknown command "chek" for "prismhook"; did you mean "check"?`)
		Expect(errorLine("unknown command \"serv\" for \"prismhook\"\n\nDid you mean this?\n\tsend\n\tserve\n")).
			To(Equal(`unknown command "serv" for "prismhook"; did you mean "send" or "serve"?`))
		Expect(errorLine("plain\nmessage")).To(Equal("plain message"))
	})
})

var _ = Describe("send --expect", func() {
	const secret = "whsec_expect_test"
	var url string
	BeforeEach(func() {
		_, srv := newSink(secret)
		url = srv.URL + "/hook"
	})

	DescribeTable("exits 0 when the answer matches and 1 when it does not",
		func(code int, args ...string) {
			r := cli(append([]string{"send", "video.completed", "--url", url, "--secret", secret}, args...)...)
			Expect(r.code).To(Equal(code), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		},
		Entry("a refused wrong secret, 4xx expected", 0, "--fault", "wrong-secret", "--expect", "4xx"),
		Entry("a refused wrong secret, 401 expected", 0, "--fault", "wrong-secret", "--expect", "401"),
		Entry("a refused wrong secret, 2xx by default", 1, "--fault", "wrong-secret"),
		Entry("a refused wrong secret, 403 expected", 1, "--fault", "wrong-secret", "--expect", "403"),
		Entry("an accepted event, 4xx expected", 1, "--expect", "4xx"),
		Entry("an accepted event, 2XX expected", 0, "--expect", "2XX"),
		Entry("a refused load run, 4xx expected", 0, "--count", "3", "--fault", "missing-signature", "--expect", "4xx"),
	)

	It("never matches when nothing answers", func() {
		r := cli("send", "video.completed", "--url", closedURL(), "--secret", secret, "--expect", "5xx")
		expectOneLineError(r, 1, "no answer")
	})

	DescribeTable("refuses a bad --expect with exit 2",
		func(v string) {
			expectOneLineError(cli("send", "video.completed", "--url", url, "--secret", secret, "--expect", v), 2, "want 2xx, 4xx, 5xx or a status")
		},
		Entry("a word", "ok"), Entry("out of range", "600"), Entry("no class", "6xx"), Entry("empty", ""),
	)
})

var _ = Describe("the version", func() {
	It("is a command as well as a flag", func() {
		r := cli("version")
		Expect(r.code).To(Equal(0))
		Expect(r.stdout).To(Equal("prismhook " + version + "\n"))
		Expect(cli("--version").stdout).To(ContainSubstring(version))
	})

	DescribeTable("comes from ldflags, else the module version, else the commit",
		func(ldflags string, info *debug.BuildInfo, want string) {
			Expect(buildVersion(ldflags, info, info != nil)).To(Equal(want))
		},
		Entry("ldflags win", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}}, "v1.2.3"),
		Entry("go install …@v1.4.0", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"),
		Entry("go install …@latest of a pseudo-version", "dev",
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201182301-5037e1668e24"}}, "v0.0.0-20261201182301-5037e1668e24"),
		Entry("go build in a clone", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "5037e1668e24ea5c701a42fdb279bbbb1135087a"}, {Key: "vcs.modified", Value: "true"},
		}}, "dev-5037e1668e24-dirty"),
		Entry("go build without VCS information", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"),
		Entry("no build information", "dev", nil, "dev"),
	)
})
