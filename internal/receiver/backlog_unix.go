//go:build unix

package receiver

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// setBacklog calls listen(2) again on a listening socket with another
// backlog, which on Linux and the BSDs changes the queue's length (Go
// always listens with the system's maximum).
func setBacklog(ln net.Listener, n int) error {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return errors.New("receiver: tiny backlog needs a TCP listener")
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Listen(int(fd), n) }); err != nil {
		return err
	}
	if lerr != nil {
		return fmt.Errorf("receiver: listen backlog: %w", lerr)
	}
	return nil
}
