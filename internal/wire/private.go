package wire

import (
	"fmt"
	"net/netip"
	"strings"
	"syscall"
)

// Ranges refused by DenyPrivate besides those netip.Addr classifies.
var extraPrivatePrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network": Linux routes it to the host itself
	netip.MustParsePrefix("100.64.0.0/10"),      // shared address space (RFC 6598), where some clouds serve metadata
	netip.MustParsePrefix("255.255.255.255/32"), // limited broadcast
}

// IsPrivateAddr reports whether ip is an address a sender serving untrusted
// users must not reach: loopback, private (RFC 1918, fc00::/7), shared
// (100.64.0.0/10), link-local (169.254.0.0/16 with the cloud metadata
// endpoints, fe80::/10), unspecified, broadcast or multicast. An
// IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
func IsPrivateAddr(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return true // nothing to reach; refusing is the safe answer
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() ||
		ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range extraPrivatePrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// IsPrivateHost reports whether a URL's host (as url.URL.Hostname returns
// it) names a private address without a DNS lookup: "localhost" and its
// subdomains (RFC 6761), or an IP literal that IsPrivateAddr refuses.
// Other names are not resolved: what they resolve to may change, so the
// sender checks every address it connects to instead.
func IsPrivateHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && IsPrivateAddr(ip)
}

// PrivateTargetError is the error of a connection DenyPrivate refused.
type PrivateTargetError struct {
	Addr netip.Addr
}

func (e *PrivateTargetError) Error() string {
	return fmt.Sprintf("target address %s is private (--deny-private-targets)", e.Addr)
}

// refusePrivate is a net.Dialer Control function: it runs once the name is
// resolved, before connecting, so it sees the very address dialled and a
// name that resolves to a public address when checked and to a private one
// when used (DNS rebinding) is refused all the same.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("target address %q cannot be checked: %w", address, err)
	}
	if IsPrivateAddr(ap.Addr()) {
		return &PrivateTargetError{Addr: ap.Addr().Unmap().WithZone("")}
	}
	return nil
}
