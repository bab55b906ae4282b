package wire_test

import (
	"context"
	"net/netip"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

// Classification only: nothing here connects to any of these addresses.
var _ = Describe("private addresses", func() {
	DescribeTable("IsPrivateAddr",
		func(addr string, private bool) {
			Expect(wire.IsPrivateAddr(netip.MustParseAddr(addr))).To(Equal(private))
		},
		Entry("IPv4 loopback", "127.0.0.1", true),
		Entry("IPv4 loopback, elsewhere in 127/8", "127.255.0.9", true),
		Entry("RFC 1918 10/8", "10.1.2.3", true),
		Entry("RFC 1918 172.16/12", "172.16.0.1", true),
		Entry("RFC 1918 172.16/12, top", "172.31.255.254", true),
		Entry("RFC 1918 192.168/16", "192.168.1.1", true),
		Entry("shared address space 100.64/10", "100.100.100.200", true),
		Entry("link-local, cloud metadata", "169.254.169.254", true),
		Entry("unspecified IPv4", "0.0.0.0", true),
		Entry("this network 0/8", "0.1.2.3", true),
		Entry("limited broadcast", "255.255.255.255", true),
		Entry("IPv4 multicast", "224.0.0.1", true),
		Entry("IPv6 loopback", "::1", true),
		Entry("IPv6 unspecified", "::", true),
		Entry("IPv6 unique local fc00::/7", "fd12:3456::1", true),
		Entry("IPv6 link-local", "fe80::1", true),
		Entry("IPv6 link-local with a zone", "fe80::1%eth0", true),
		Entry("IPv6 multicast", "ff02::1", true),
		Entry("IPv4-mapped loopback", "::ffff:127.0.0.1", true),
		Entry("IPv4-mapped metadata", "::ffff:169.254.169.254", true),
		Entry("public IPv4", "93.184.216.34", false),
		Entry("public IPv4 next to 172.16/12", "172.32.0.1", false),
		Entry("public IPv4 next to 100.64/10", "100.128.0.1", false),
		Entry("public IPv6", "2606:2800:220:1:248:1893:25c8:1946", false),
		Entry("IPv4-mapped public", "::ffff:93.184.216.34", false),
	)

	It("refuses the zero Addr", func() {
		Expect(wire.IsPrivateAddr(netip.Addr{})).To(BeTrue())
	})

	DescribeTable("IsPrivateHost, without resolving names",
		func(host string, private bool) {
			Expect(wire.IsPrivateHost(host)).To(Equal(private))
		},
		Entry("localhost", "localhost", true),
		Entry("localhost, any case, fully qualified", "LocalHost.", true),
		Entry("a subdomain of localhost", "api.localhost", true),
		Entry("a loopback literal", "127.0.0.1", true),
		Entry("a metadata literal", "169.254.169.254", true),
		Entry("an IPv6 literal", "::1", true),
		Entry("a public literal", "8.8.8.8", false),
		Entry("a name", "your-server.com", false),
		Entry("a name that merely contains localhost", "localhost.example.com", false),
		Entry("a name ending like localhost", "notlocalhost", false),
	)
})

var _ = Describe("a sender with DenyPrivate", func() {
	send := func(s *wire.Sender, url string) wire.Exchange {
		return s.Send(context.Background(), wire.Message{
			URL: url, Secret: "whsec_private", EventType: webhook.EventCompleted, Body: []byte(`{"event":"video.completed"}`),
		})
	}

	It("refuses to connect to a loopback receiver, which never sees a request", func() {
		rc := newReceiver(nil)
		s := wire.NewSender(wire.SenderOptions{DenyPrivate: true})
		for _, url := range []string{rc.URL + "/hook", strings.Replace(rc.URL, "127.0.0.1", "localhost", 1) + "/hook"} {
			x := send(s, url)
			Expect(x.OK()).To(BeFalse(), url)
			Expect(x.Status).To(BeZero())
			Expect(x.ErrKind).To(Equal(wire.ErrKindConnection))
			// For localhost, the check ran on the address the name resolved to.
			Expect(x.Err).To(MatchError(MatchRegexp(`^target address (127\.0\.0\.1|::1) is private \(--deny-private-targets\)$`)))
			var perr *wire.PrivateTargetError
			Expect(x.Err).To(BeAssignableToTypeOf(perr))
		}
		Expect(rc.Requests()).To(BeEmpty())
	})

	It("is off by default: a loopback receiver gets its delivery", func() {
		rc := newReceiver(nil)
		x := send(wire.NewSender(wire.SenderOptions{}), rc.URL+"/hook")
		Expect(x.Err).NotTo(HaveOccurred())
		Expect(x.OK()).To(BeTrue())
		Expect(rc.Requests()).To(HaveLen(1))
	})
})
