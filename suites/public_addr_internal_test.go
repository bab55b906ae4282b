package suites

import (
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the artifact server's public address", func() {
	tcp := func(ip string, port int) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }

	It("is the bound address when that names a host", func() {
		Expect(publicAddr(tcp("127.0.0.1", 4011), "127.0.0.1:8080")).To(Equal("127.0.0.1:4011"))
	})
	It("is the local address of the route to the receiver when bound to all interfaces", func() {
		Expect(publicAddr(tcp("0.0.0.0", 4011), "127.0.0.1:8080")).To(Equal("127.0.0.1:4011"))
		Expect(publicAddr(tcp("::", 4011), "127.0.0.1:80")).To(Equal("127.0.0.1:4011"))
	})
	It("falls back to loopback when there is no route", func() {
		Expect(publicAddr(tcp("0.0.0.0", 4011), "not a host:port")).To(Equal("127.0.0.1:4011"))
	})
})
