//go:build !unix

package receiver

import (
	"errors"
	"net"
)

// setBacklog is not available on this platform.
func setBacklog(net.Listener, int) error {
	return errors.New("receiver: a tiny listen backlog needs a Unix system")
}
